"""Benchmarks that measure the course's figures (``make bench``, i.e. ``python -m bench``).

Each module here exposes ``run() -> str``, a Markdown section; ``python -m bench`` runs them all and
writes bench/RESULTS.md.
"""
