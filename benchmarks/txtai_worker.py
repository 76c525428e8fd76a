"""The txtai side of bench_peer, run by the python of txtai's own venv (stdlib + txtai only).

    python txtai_worker.py MODEL_DIR PASSAGES.json CONFIG_JSON

PASSAGES.json is ``[[id, text], ...]``. The worker loads the model, indexes the passages
(each timed), prints one JSON line ``{"load_s", "index_s", "count", "components"}``, then
answers JSON lines ``{"query": text, "k": n}`` on stdin with ``{"ids": [...], "ms": t}``, the
search time measured in here so the pipe is not counted. An empty line ends it.
"""

from __future__ import annotations

import json
import sys
import time


def _main() -> None:
    model_dir, passages_file, config_json = sys.argv[1:4]
    from txtai import Embeddings

    passages = json.loads(open(passages_file, encoding="utf-8").read())
    config = {"path": model_dir, "content": False, **json.loads(config_json)}
    started = time.perf_counter()
    embeddings = Embeddings(config)
    embeddings.transform("warm up")  # the model is loaded and has run once, as ours
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    embeddings.index([(pid, text, None) for pid, text in passages])
    index_s = time.perf_counter() - started
    print(
        json.dumps(
            {
                "load_s": load_s,
                "index_s": index_s,
                "count": embeddings.count(),
                "components": embeddings.config.get("build", {}).get("settings", {}),
            }
        ),
        flush=True,
    )
    for line in sys.stdin:
        if not line.strip():
            break
        request = json.loads(line)
        started = time.perf_counter()
        hits = embeddings.search(request["query"], request["k"])
        ms = (time.perf_counter() - started) * 1000
        print(json.dumps({"ids": [int(hit[0]) for hit in hits], "ms": ms}), flush=True)


if __name__ == "__main__":
    _main()
