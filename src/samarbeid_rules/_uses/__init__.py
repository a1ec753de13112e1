"""Stage 3, uses of the pipeline: batch runs, the live monitor, explanations, coverage,
population analytics, institution checks and the synthetic generator.

Imports only from earlier stages.
"""
