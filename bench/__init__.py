"""Benchmarks, run as scripts (`.venv/bin/python bench/NAME.py`). A package so that bench/email.py is `bench.email`
to mypy, not a stand-in for the standard library's `email`."""
