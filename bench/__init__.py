"""Benchmarks (issue 7): every figure against a ceiling measured in the same run.

Run with `scripts/bench` or `.venv/bin/python -m bench [--quick] [--only ...]`;
results go to var/bench/results.json and the table in docs/performance.md.
These are never pytest tests: they own a PostgreSQL database (pitstop_bench)
that they fill once and restock before each timing, never truncate.
"""
