"""pnet's benchmark suite: ``.venv/bin/python -m bench --quick`` (S, both stores) or ``--full``.

Not tests: nothing here asserts a time. Each run writes ``bench/results/<stamp>.json`` and regenerates the
figures table of ``BENCHMARKS.md``.
"""
