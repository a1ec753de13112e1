"""Synthetic timelines for tests, benchmarks and downstream CI.

- :func:`generate_timeline`, :func:`generate_population`: seeded, realistic
  synthetic timelines as JSON-ready dicts (no real data).
"""

from ._synthetic import generate_population, generate_timeline

__all__ = ["generate_population", "generate_timeline"]
