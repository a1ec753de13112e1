"""Every Python and shell example of README.md and docs/*.md runs, and its shown output is compared.

The conventions (doctest ``>>>`` blocks, ``console`` blocks with ``[exit N]``,
skip markers with reasons) are in docs/contributing.md and tests/doc_examples.py.
The second half of this file shows that the runner fails when it should.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from unittest import SkipTest

import pytest

from doc_examples import (
    ROOT,
    DocExampleError,
    make_sybil,
    make_workdir,
    output_matches,
    parse_console,
    run_command,
    skip_reasons,
)

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _run_document(path: Path, workdir: Path, monkeypatch) -> tuple[int, list[tuple[int, str]], list[str]]:
    """Evaluate every example of one page in order: (examples run, skips with reasons, failures)."""
    monkeypatch.chdir(workdir)
    document = make_sybil(workdir).parse(path)
    skips = skip_reasons(document)
    ran, failures = 0, []
    for example in document.examples():
        try:
            example.evaluate()
        except SkipTest:
            continue
        except Exception as exc:  # every failure of the page is reported, not only the first
            failures.append(f"{_name(path)}, line {example.line}: {type(exc).__name__}: {exc}")
            continue
        if type(example.region.evaluator).__name__ != "Skipper":
            ran += 1
    return ran, skips, failures


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_examples(path, tmp_path, monkeypatch):
    """Each page's python, console and shell blocks: run and compared, or skipped with a reason."""
    ran, skips, failures = _run_document(path, make_workdir(tmp_path), monkeypatch)
    assert not failures, "\n\n".join(failures)


def test_the_pages_have_examples_that_run(tmp_path, monkeypatch):
    """The runner is not a no-op: the pages that show commands and code have examples that ran."""
    for name in ("README.md", "docs/getting-started.md", "docs/cli.md", "docs/duties.md"):
        work = tmp_path / name.replace("/", "_")
        work.mkdir()
        ran, _, failures = _run_document(ROOT / name, make_workdir(work), monkeypatch)
        assert ran >= 2 and not failures, (name, ran, failures)


# -- the runner itself -----------------------------------------------------------------------

def _page(tmp_path: Path, text: str) -> Path:
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    return page


def _failures(tmp_path, monkeypatch, text: str) -> list[str]:
    """The failures of a page holding ``text``, run in a fresh scratch directory (tmp_path/work)."""
    work = tmp_path / "work"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    return _run_document(_page(tmp_path, text), make_workdir(work), monkeypatch)[2]


def test_parse_console_commands_output_and_exit_code():
    cmds = parse_console("$ echo a \\\n  b\na b\n$ false\n[exit 1]\n$ echo c \\\n> d\nc d\n")
    assert [(c.command, c.expected, c.exit_code) for c in cmds] == [
        ("echo a \n  b", "a b", 0), ("false", "", 1), ("echo c \nd", "c d", 0)]
    with pytest.raises(DocExampleError, match="output before any command"):
        parse_console("hello\n$ true\n")
    with pytest.raises(DocExampleError, match="last line"):
        parse_console("$ true\n[exit 1]\nmore\n")


def test_output_matching_is_exact_but_for_the_ellipsis():
    assert output_matches("a\nb", "a\nb\n\n")
    assert output_matches("a  \nb", "a\nb")
    assert not output_matches("a\nb", "a\nc")
    assert not output_matches("a", "a\nb")
    assert output_matches("a\n...\nz", "a\nb\nc\nz")
    assert output_matches("events 1...", "events 12 used")


def test_run_command_uses_the_virtualenv_tools(tmp_path):
    out, code = run_command("samarbeid-rules --version", tmp_path)
    assert code == 0 and out.startswith("samarbeid-rules ")


def test_a_console_block_with_wrong_output_fails(tmp_path, monkeypatch):
    """The shown output is compared: one wrong line fails the page, and the message shows both."""
    failures = _failures(tmp_path, monkeypatch, "```console\n$ echo hello\ngoodbye\n```\n")
    assert len(failures) == 1 and "--- expected (exit 0):\ngoodbye" in failures[0] and "hello" in failures[0]


def test_a_console_block_with_the_wrong_exit_code_fails(tmp_path, monkeypatch):
    assert _failures(tmp_path, monkeypatch, "```console\n$ echo x; exit 3\nx\n[exit 1]\n```\n")
    assert _failures(tmp_path, monkeypatch, "```console\n$ echo x; exit 3\nx\n```\n")
    assert not _failures(tmp_path, monkeypatch, "```console\n$ echo x; exit 3\nx\n[exit 3]\n```\n")


def test_a_real_command_with_a_wrong_count_fails(tmp_path, monkeypatch):
    """A stale count in a real command's output (the kind of staleness this suite exists for) fails."""
    text = ("```console\n$ samarbeid-rules check examples/release_notice_late.json\n...\n"
            "events    4: 2 used, 2 unused, 0 after as_of\n...\n[exit 1]\n```\n")
    failures = _failures(tmp_path, monkeypatch, text)
    assert len(failures) == 1 and "events    4" in failures[0]


def test_a_doctest_with_wrong_output_fails(tmp_path, monkeypatch):
    assert _failures(tmp_path, monkeypatch, "```python\n>>> 1 + 1\n3\n```\n")
    assert not _failures(tmp_path, monkeypatch, "```python\n>>> 1 + 1\n2\n```\n")


def test_a_python_block_that_prints_is_refused(tmp_path, monkeypatch):
    """Output nothing compares is not allowed: such a block must be a doctest."""
    failures = _failures(tmp_path, monkeypatch, "```python\nprint('shown nowhere')\n```\n")
    assert len(failures) == 1 and "doctest" in failures[0]
    assert not _failures(tmp_path, monkeypatch, "```python\nx = 1\nassert x == 1\n```\n")
    assert _failures(tmp_path, monkeypatch, "```python\nassert 1 == 2\n```\n")


def test_an_unmarked_shell_block_is_refused(tmp_path, monkeypatch):
    for lang in ("sh", "bash", "shell"):
        assert _failures(tmp_path, monkeypatch, f"```{lang}\nmake demo\n```\n"), lang


def test_a_shell_block_skipped_with_a_reason_is_not_run(tmp_path, monkeypatch):
    text = '<!-- skip: next "installs packages" -->\n\n```sh\nexit 1\n```\n'
    work = tmp_path / "w"
    work.mkdir()
    ran, skips, failures = _run_document(_page(tmp_path, text), make_workdir(work), monkeypatch)
    assert (ran, failures) == (0, []) and skips == [(1, "installs packages")]


def test_a_skip_without_a_reason_is_refused(tmp_path, monkeypatch):
    for marker in ("<!-- skip: next -->", "<!-- skip: next \"\" -->", "<!-- skip: next because -->"):
        text = f"{marker}\n\n```sh\nmake demo\n```\n"
        work = tmp_path / str(abs(hash(marker)))
        work.mkdir()
        with pytest.raises(DocExampleError, match="needs a reason"):
            _run_document(_page(tmp_path, text), make_workdir(work), monkeypatch)


def test_fences_that_hide_an_example_are_refused(tmp_path, monkeypatch):
    for text in ("```py\nx = 1\n```\n", "```pycon\n>>> 1\n1\n```\n", "```\n$ samarbeid-rules rules\n```\n",
                 "```\n>>> 1\n1\n```\n"):
        assert _failures(tmp_path, monkeypatch, text), text
    assert not _failures(tmp_path, monkeypatch, "```\nplain output, not an example\n```\n")
    assert not _failures(tmp_path, monkeypatch, "```json\n{\"a\": 1}\n```\n")


def test_console_commands_do_not_write_into_the_checkout(tmp_path, monkeypatch):
    """Commands run in a scratch directory: a file they write lands there, not in the repository."""
    assert not _failures(tmp_path, monkeypatch, "```console\n$ echo x > written.txt\n```\n")
    assert (tmp_path / "work" / "written.txt").is_file() and not (ROOT / "written.txt").exists()


def test_write_file_puts_a_shown_file_where_the_next_command_reads_it(tmp_path, monkeypatch):
    text = ("<!-- write-file: conf/a.yaml -->\n\n   ```yaml\n   a: 1\n   ```\n\n"
            "```console\n$ cat conf/a.yaml\na: 1\n```\n")
    assert not _failures(tmp_path, monkeypatch, text)
    assert _failures(tmp_path, monkeypatch, text.replace("a: 1\n```\n", "a: 2\n```\n"))
    escape = "<!-- write-file: tests/x.yaml -->\n\n```yaml\nb: 1\n```\n"
    assert _failures(tmp_path, monkeypatch, escape) and not (ROOT / "tests" / "x.yaml").exists()
    assert _failures(tmp_path, monkeypatch, escape.replace("tests/x.yaml", "../x.yaml"))
