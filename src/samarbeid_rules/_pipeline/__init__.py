"""Stage 2, the pipeline: facts → compile → engines → timing → report, and ``evaluate`` that runs them.

Imports only from :mod:`.._common` and :mod:`.._inputs`. The timing stage may run compiled by mypyc;
:mod:`.compiled` decides, here, before any of it is imported, whether its build is used.
"""

from .compiled import guard as _guard

_guard()
