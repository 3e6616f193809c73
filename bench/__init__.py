"""Benchmarks: ``make bench`` (``python -m bench``) prints figures measured in one run."""
