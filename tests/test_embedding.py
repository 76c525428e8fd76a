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


def test_small_batches_give_the_same_vectors_as_one_batch(real_embedder):
    # The reranker encodes sentences four at a time to pad less; scores must not change.
    together = real_embedder.encode(SENTENCES, batch_size=32)
    in_fours = real_embedder.encode(SENTENCES, batch_size=4)
    one_by_one = np.stack([real_embedder.encode([s])[0] for s in SENTENCES])
    np.testing.assert_allclose(in_fours, together, atol=1e-5)
    np.testing.assert_allclose(one_by_one, together, atol=1e-5)


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
