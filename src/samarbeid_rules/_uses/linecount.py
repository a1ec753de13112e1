"""How many timelines a JSON Lines source holds, counted cheaply, for the progress bar's total.

Only for regular files (a pipe or a FIFO is read once, by the batch); the
count reads the file in binary blocks and counts the lines that hold more
than white space, as the batch evaluates them (empty lines are skipped
there too). A directory counts its ``.json`` files and the lines of its
JSON Lines files. Anything that cannot be counted cheaply gives ``None``
(no total shown).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .batchsource import JSONL_SUFFIXES

__all__ = ["jsonl_total"]

_BLOCK = 1 << 20


def _lines(path: Path) -> int | None:
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        n = 0
        pending = b""
        with path.open("rb") as fh:
            while block := fh.read(_BLOCK):
                parts = (pending + block).split(b"\n")
                pending = parts.pop()
                n += sum(1 for p in parts if p.strip())
        return n + (1 if pending.strip() else 0)
    except OSError:
        return None


def jsonl_total(source: Path) -> int | None:
    """The number of timelines in ``source`` (a JSON Lines file or a directory), or None."""
    try:
        if source.is_dir():
            total = 0
            for entry in os.scandir(source):
                p = Path(entry.path)
                if not entry.is_file():
                    continue
                if p.suffix.lower() == ".json":
                    total += 1
                elif p.suffix.lower() in JSONL_SUFFIXES:
                    lines = _lines(p)
                    if lines is None:
                        return None
                    total += lines
            return total
        if source.suffix.lower() == ".json":
            return 1
        return _lines(source)
    except OSError:
        return None
