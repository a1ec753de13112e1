"""Stage 6, the command line: a thin layer over the library.

Imports from every earlier stage; nothing imports from here.
"""

from .main import EXIT_BAD_INPUT, EXIT_BREACH, EXIT_ENGINE, EXIT_OK, EXIT_USAGE, main

__all__ = ["EXIT_BAD_INPUT", "EXIT_BREACH", "EXIT_ENGINE", "EXIT_OK", "EXIT_USAGE", "main"]
