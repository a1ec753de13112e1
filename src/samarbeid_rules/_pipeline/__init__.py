"""Stage 2, the pipeline: facts → compile → engines → timing → report, and ``evaluate`` that runs them.

Imports only from :mod:`.._common` and :mod:`.._inputs`.
"""
