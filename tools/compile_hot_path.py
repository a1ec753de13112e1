"""Compile the hot path (the timing stage) with mypyc, in place, for the Python that runs this.

    .venv/bin/python tools/compile_hot_path.py          # make does this after installing
    .venv/bin/python tools/compile_hot_path.py --clean  # remove the build: the sources run

Builds one C extension module beside each source listed in
``samarbeid_rules/_pipeline/compiled.py`` (``MODULES``), and the shared
library they use (``samarbeid_rules_hot__mypyc``, at the top of ``src/``), then
writes the stamp that lets the package use them (the SHA-256 of each
source). A source edited later is imported instead of its stale build until
this runs again. Needs mypy (which ships mypyc), setuptools and a C
compiler; without them it fails, saying so, and the sources stay in use.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
GROUP = "samarbeid_rules_hot"


def _compiled_module():
    """samarbeid_rules/_pipeline/compiled.py, loaded by path: importing the package here would load
    the extension modules this is about to replace."""
    spec = importlib.util.spec_from_file_location("_samarbeid_compiled", SRC / "samarbeid_rules/_pipeline/compiled.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _outputs(c) -> list[Path]:
    return [*c.extension_paths(), SRC / f"{GROUP}__mypyc{c.SUFFIX}"]


def clean(c) -> None:
    # every extension module of this Python under the package, not only those listed now: a module
    # no longer listed must not keep running from an old build
    old = [*(SRC / "samarbeid_rules").rglob(f"*{c.SUFFIX}"), *SRC.glob(f"*__mypyc{c.SUFFIX}")]
    for path in [*old, c.stamp_path()]:
        path.unlink(missing_ok=True)  # unlinked, not overwritten: a process that has it loaded keeps it


_SETUP = """
import sys
from setuptools import setup
from mypyc.build import mypycify
modules = sys.argv[sys.argv.index("--") + 1:]
del sys.argv[sys.argv.index("--"):]
setup(name="samarbeid-rules-hot-path", ext_modules=mypycify(
    ["--follow-imports=silent", "--disable-error-code=annotation-unchecked", *modules],
    opt_level="3", group_name={group!r}, target_dir={target!r}))
"""


def build(c) -> None:
    modules = [f"samarbeid_rules/{rel}" for rel in c.MODULES]
    clean(c)
    with tempfile.TemporaryDirectory(prefix="samarbeid-mypyc-") as tmp:
        setup = Path(tmp) / "setup.py"
        setup.write_text(_SETUP.format(group=GROUP, target=str(Path(tmp) / "c")), encoding="utf-8")
        # everything but the extension modules is written below tmp (C sources, objects, the build's lib)
        cmd = [sys.executable, str(setup), "--quiet", "build_ext", "--inplace", "--build-temp", str(Path(tmp) / "t"),
               "--build-lib", str(Path(tmp) / "l"), "--", *modules]
        done = subprocess.run(cmd, cwd=SRC, capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
            raise SystemExit(f"compile_hot_path: mypyc failed (exit {done.returncode}); the sources stay in use")
    missing = [str(p.relative_to(ROOT)) for p in _outputs(c) if not p.is_file()]
    if missing:
        raise SystemExit(f"compile_hot_path: the build left out {', '.join(missing)}; the sources stay in use")
    stamp = {"python": sys.version.split()[0], "suffix": c.SUFFIX, "sources": c.sources_digest()}
    c.stamp_path().write_text(json.dumps(stamp, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"compile_hot_path: {len(c.MODULES)} modules compiled by mypyc for Python {stamp['python']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clean", action="store_true", help="remove the build (the sources run)")
    args = ap.parse_args()
    c = _compiled_module()
    if args.clean:
        clean(c)
        print("compile_hot_path: build removed; the sources run")
    else:
        build(c)


if __name__ == "__main__":
    main()
