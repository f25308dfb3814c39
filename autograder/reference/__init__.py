"""Reference NumPy implementations of every graded component (float64, vectorized, stable).

One module per idea of the lecture; names and semantics are the contract of ../shared/DESIGN.md
that the hidden tests, the chapters and the benchmarks rely on.
"""
