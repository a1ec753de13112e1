"""Running the examples of README.md and docs/*.md (tests/test_docs_examples.py).

Sybil (https://sybil.readthedocs.io) parses the Markdown; this module adds
what Sybil does not have and the policy on top of it. The conventions are
written for authors in docs/contributing.md:

- ```python blocks: a block starting with ``>>>`` is a doctest (Sybil's
  doctest parser, option flag ELLIPSIS, so ``...`` elides output); any other
  python block is executed, and must print nothing, since nothing would
  compare what it printed.
- ```console blocks: ``$ command`` lines, each followed by its exact output
  (stdout and stderr as they appear in a terminal); ``...`` elides (doctest's
  ELLIPSIS); a last line ``[exit N]`` says the command exits with N, and
  without one it must exit 0. A command ending in `` \\`` continues on the next
  line (which may start with ``> ``, the shell's prompt for it). Commands run with bash, with the virtualenv's ``samarbeid-rules``
  first on PATH, in a scratch directory with copies of the repository's
  examples/ and rules/ and links to its docs/ and tests/ (so relative paths
  work and files a command writes do not land in the checkout).
- ```sh / ```bash / ```shell blocks are never run: each needs a skip marker
  with a reason, ``<!-- skip: next "why it cannot run" -->`` (Sybil's skip
  directive). A skip without a reason is refused, as is an unmarked block.
- ``<!-- write-file: PATH -->`` just before a fenced block (say a yaml rule
  file) writes the block's text to PATH in the scratch directory, for the
  commands that follow.
- Any other language that would hide an example (``py``, ``pycon``, a plain
  block starting with ``$ `` or ``>>>``) is refused.
"""

from __future__ import annotations

import ast
import contextlib
import doctest
import io
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sybil import Document, Example, Region, Sybil
from sybil.evaluators.python import PythonEvaluator
from sybil.evaluators.skip import Skipper
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser
from sybil.parsers.markdown.lexers import RawFencedCodeBlockLexer

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

#: the languages whose blocks are examples; every other fence is data (json, yaml, xml) or prose
RUN = {"python", "console"}
NEVER_RUN = {"sh", "bash", "shell", "zsh"}
REFUSED = {"py", "python3", "pycon", "shell-session", "sh-session", "doctest"}
EXIT = re.compile(r"^\[exit (\d+)\]$")
#: what the scratch directory copies from the repository (small, and a command may copy or change them)
COPIED = ("examples", "rules")
#: what it links (read only)
LINKED = ("docs", "tests")


class DocExampleError(AssertionError):
    """An example whose shown output or exit code is not what running it gives, or a block
    that breaks the conventions."""


# -- console blocks -------------------------------------------------------------------------

@dataclass(frozen=True)
class Command:
    line: int  #: 0-based line of the ``$`` inside the block
    command: str
    expected: str
    exit_code: int


def parse_console(source: str) -> list[Command]:
    """The commands of a console block, with their shown output and exit code."""
    lines = source.splitlines()
    commands: list[Command] = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith("$ "):
            raise DocExampleError(
                f"console block line {i + 1}: output before any command ({lines[i]!r}); "
                "every command starts with '$ '")
        start = i
        cmd = lines[i][2:]
        while cmd.endswith("\\"):
            i += 1
            if i >= len(lines):
                raise DocExampleError(f"console block line {start + 1}: command continues past the block")
            cont = lines[i][2:] if lines[i].startswith("> ") else lines[i]
            cmd = cmd[:-1] + "\n" + cont
        i += 1
        out: list[str] = []
        while i < len(lines) and not lines[i].startswith("$ "):
            out.append(lines[i])
            i += 1
        while out and not out[-1].strip():
            out.pop()
        code = 0
        if out and EXIT.match(out[-1]):
            code = int(EXIT.match(out[-1]).group(1))
            out.pop()
            while out and not out[-1].strip():
                out.pop()
        if any(EXIT.match(x) for x in out):
            raise DocExampleError(f"console block line {start + 1}: '[exit N]' must be the last line of a command's output")
        commands.append(Command(start, cmd, "\n".join(out), code))
    if not commands:
        raise DocExampleError("empty console block")
    return commands


def _normalise(text: str) -> str:
    lines = [x.rstrip() for x in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def output_matches(expected: str, got: str) -> bool:
    """True if ``got`` is ``expected``, with ``...`` standing for any text (doctest ELLIPSIS);
    trailing spaces and trailing blank lines do not count."""
    return doctest.OutputChecker().check_output(_normalise(expected), _normalise(got), doctest.ELLIPSIS)


def run_command(command: str, cwd: Path) -> tuple[str, int]:
    """Run ``command`` with bash as a reader of the docs would: the virtualenv's tools first on PATH."""
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONUNBUFFERED": "1",  # stdout and stderr interleave as in a terminal
        "PYTHONIOENCODING": "utf-8",
        "COLUMNS": "80",  # argparse wraps help at the width of a standard terminal
        "NO_COLOR": "1",
    }
    proc = subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300,
    )
    return proc.stdout.decode("utf-8", errors="replace"), proc.returncode


class ConsoleEvaluator:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir

    def __call__(self, example: Example) -> None:
        for c in parse_console(str(example.parsed)):
            got, code = run_command(c.command, self.workdir)
            line = example.line + 1 + c.line
            if code != c.exit_code or not output_matches(c.expected, got):
                shown = f"[exit {code}]" if code else "(exit 0)"
                raise DocExampleError(
                    f"line {line}: $ {c.command}\n"
                    f"--- expected (exit {c.exit_code}):\n{c.expected}\n"
                    f"--- got {shown}:\n{got.rstrip()}"
                )


# -- python blocks --------------------------------------------------------------------------

class SilentPythonEvaluator:
    """Sybil's evaluator for a python code block, refusing a block that prints: its output
    would be compared with nothing. Such a block must be a ``>>>`` doctest."""

    def __init__(self) -> None:
        self.inner = PythonEvaluator()

    def __call__(self, example: Example) -> None:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            self.inner(example)
        if buf.getvalue():
            raise DocExampleError(
                f"line {example.line}: a python block printed output that nothing compares:\n"
                f"{buf.getvalue().rstrip()}\nwrite it as a '>>>' doctest with the output shown")


def python_parser(document: Document):
    parser = PythonCodeBlockParser(doctest_optionflags=doctest.ELLIPSIS)
    for region in parser(document):
        if isinstance(region.evaluator, PythonEvaluator):
            region.evaluator = SilentPythonEvaluator()
        yield region


# -- blocks that are never run, and blocks that hide an example ------------------------------

def _never_run(example: Example) -> None:
    raise DocExampleError(
        f"line {example.line}: a shell block that is neither run nor skipped: write it as a "
        "```console block with its output, or mark it <!-- skip: next \"why it cannot run\" -->")


class _Refuse:
    def __init__(self, why: str) -> None:
        self.why = why

    def __call__(self, example: Example) -> None:
        raise DocExampleError(f"line {example.line}: {self.why}")


_INFO = re.compile(r"(?P<info>[^\n]*)$\n", re.MULTILINE)


def hidden_example_parser(document: Document):
    """Fences whose language hides an example from the runner: refused when evaluated."""
    for region in RawFencedCodeBlockLexer(_INFO, {"info": "info", "source": "source"})(document):
        lang = region.lexemes["info"].strip().split(" ")[0]
        src = str(region.lexemes["source"])
        first = src.lstrip().splitlines()[0] if src.strip() else ""
        if lang in REFUSED:
            why = f"fence language {lang!r} is not run: use ```python (with '>>>' for shown output) or ```console"
        elif lang == "" and (first.startswith("$ ") or first.startswith(">>>")):
            why = "a plain fenced block that looks like an example: use ```console or ```python"
        else:
            continue
        region.parsed = src
        region.evaluator = _Refuse(why)
        yield region


WRITE_FILE = re.compile(
    r"^[ \t]*<!-- write-file: (?P<path>[^ ]+) -->[ \t]*\n(?:[ \t]*\n)*(?P<indent>[ \t]*)(?P<fence>`{3,})[^\n]*\n"
    r"(?P<body>.*?)^[ \t]*(?P=fence)[ \t]*$", re.MULTILINE | re.DOTALL)


class WriteFile:
    """``<!-- write-file: PATH -->`` before a fenced block (a rule file, a profile) writes the
    block's text to PATH in the scratch directory, so that the commands after it can use it."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir

    def __call__(self, document: Document):
        for m in WRITE_FILE.finditer(document.text):
            path, indent, body = m.group("path"), m.group("indent"), m.group("body")
            text = "".join(line[len(indent):] if line.startswith(indent) else line
                           for line in body.splitlines(keepends=True))
            yield Region(m.start(), m.end(), (path, text), self._write)

    def _write(self, example: Example) -> None:
        path, text = example.parsed
        target = (self.workdir / path).resolve()
        if not target.is_relative_to(self.workdir.resolve()) or any(
                target.is_relative_to((self.workdir / name).resolve()) for name in LINKED):
            raise DocExampleError(f"line {example.line}: write-file {path!r} must stay in the scratch directory, "
                                  "outside the linked repository folders")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def make_sybil(workdir: Path) -> Sybil:
    parsers = [
        python_parser,
        CodeBlockParser("console", ConsoleEvaluator(workdir)),
        *(CodeBlockParser(lang, _never_run) for lang in sorted(NEVER_RUN)),
        hidden_example_parser,
        WriteFile(workdir),
        SkipParser(),
    ]
    return Sybil(parsers=parsers, path=str(ROOT))


def skip_reasons(document: Document) -> list[tuple[int, str]]:
    """(line, reason) of every skip directive; refuses one without a quoted reason."""
    out = []
    for example in document.examples():
        if isinstance(example.region.evaluator, Skipper):
            action, reason = example.parsed
            if action == "end":
                continue
            try:
                text = ast.literal_eval(reason) if reason else None
            except (ValueError, SyntaxError):
                text = None
            if not isinstance(text, str) or not text.strip():
                raise DocExampleError(
                    f"{document.path}, line {example.line}: 'skip: {action}' needs a reason in quotes, "
                    f"<!-- skip: {action} \"why it cannot run\" -->")
            out.append((example.line, text))
    return out


def make_workdir(tmp: Path) -> Path:
    """A scratch directory with copies of the repository's examples/ and rules/ and links to its
    docs/ and tests/, so that relative paths in the examples work and nothing they write reaches
    the checkout."""
    for name in COPIED:
        shutil.copytree(ROOT / name, tmp / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in LINKED:
        (tmp / name).symlink_to(ROOT / name, target_is_directory=True)
    return tmp


__all__ = [
    "Command", "ConsoleEvaluator", "DocExampleError", "Region", "make_sybil", "make_workdir",
    "output_matches", "parse_console", "run_command", "skip_reasons",
]
