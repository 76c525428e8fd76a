"""The real encoder: what the reranker and follow-ups rely on beyond plain encoding."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.model

SENTENCES = [
    "OMIK trained 142 police officers.",
    "From 15 to 19 January 2024 the Mission held a Training of Trainers at the Kosovo Academy "
    "for Public Safety in Vushtrri, where 14 Kosovo Police officers were certified as trainers.",
    "Challenges.",
    "The Programme Office in Dushanbe supported community policing in six pilot districts.",
    "Participants agreed to set up public councils.",
]


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1)


def test_small_batches_give_the_same_vectors_as_one_batch(real_embedder):
    # The reranker encodes sentences four at a time to pad less; its scores must not move.
    together = real_embedder.encode(SENTENCES, batch_size=32)
    in_fours = real_embedder.encode(SENTENCES, batch_size=4)
    one_by_one = np.stack([real_embedder.encode([s])[0] for s in SENTENCES])
    assert _cosines(in_fours, together).min() > 0.9999
    assert _cosines(one_by_one, together).min() > 0.9999


def test_bfloat16_vectors_match_float32(real_embedder):
    from qa_assistant.embedding import SentenceTransformerEmbedder, _native_bfloat16

    if not _native_bfloat16():
        pytest.skip("this CPU has no native bfloat16; the assistant uses float32 here")
    assert real_embedder.precision == "bfloat16"  # what "auto" chose
    exact = SentenceTransformerEmbedder(precision="float32")
    fast = SentenceTransformerEmbedder(precision="bfloat16")
    a, b = exact.encode(SENTENCES), fast.encode(SENTENCES)
    assert a.dtype == b.dtype == np.float32
    assert _cosines(a, b).min() > 0.9995
    # What retrieval relies on: the same sentence is nearest to each query either way.
    queries = ["How many officers were certified as trainers?", "public councils in districts"]
    for query in queries:
        assert np.argmax(a @ exact.encode_query(query)) == np.argmax(b @ fast.encode_query(query))


def test_an_unknown_precision_is_refused_with_the_choices(monkeypatch):
    from qa_assistant.config import default_precision
    from qa_assistant.errors import QAError

    monkeypatch.setenv("QA_ASSISTANT_PRECISION", "float16")
    with pytest.raises(QAError, match="auto, float32, bfloat16"):
        default_precision()
    monkeypatch.setenv("QA_ASSISTANT_PRECISION", "Float32")
    assert default_precision() == "float32"


def test_a_question_asked_again_is_not_re_encoded(real_embedder, monkeypatch):
    question = "Where was the training of trainers for hate crime held in January 2024?"
    first = real_embedder.encode_query(question)
    np.testing.assert_allclose(first, real_embedder.encode([question])[0], atol=1e-6)

    calls = []
    original = real_embedder.encode
    monkeypatch.setattr(
        real_embedder, "encode", lambda texts, **kw: calls.append(texts) or original(texts, **kw)
    )
    again = real_embedder.encode_query(question)
    assert calls == []
    np.testing.assert_array_equal(again, first)
    with pytest.raises(ValueError):  # the remembered vector cannot be changed by a caller
        again[0] = 1.0
    real_embedder.encode_query(question + " And in 2023?")
    assert len(calls) == 1
