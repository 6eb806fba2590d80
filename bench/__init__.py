"""Benchmarks: ``python -m bench NAME``. Each prints its figures next to its target and writes
``bench/out/NAME.json``. They measure; tests never assert on time."""
