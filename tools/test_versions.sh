#!/usr/bin/env bash
# make test-versions: the suite on every CPython 3.11-3.14 found on this machine,
# each in its own virtualenv (.venv-3.X). Fails if fewer than two are found, or
# if the suite fails on any of them.
#
# An interpreter is found as python3.X on PATH (used only if it runs and really
# is 3.X: a pyenv shim for a version not selected fails), otherwise as the
# newest pyenv build $PYENV_ROOT/versions/3.X.*/bin/python3 (~/.pyenv if unset).
# The durable-rules extra is installed below 3.13 only (it does not import on
# 3.13+; its tests are skipped there, saying why). FIND_ONLY=1 only lists what
# it finds; VERSIONS="3.12 3.13" narrows the search.
set -u
cd "$(dirname "$0")/.."
VERSIONS="${VERSIONS:-3.11 3.12 3.13 3.14}"
PYENV_DIR="${PYENV_ROOT:-$HOME/.pyenv}"

is_version() {  # is_version PYTHON 3.X: runs, and is that version
  [ -n "$1" ] && [ "$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$2" ]
}

find_python() {  # find_python 3.X: prints the interpreter's path, or nothing
  local v=$1 p
  p=$(command -v "python$v" 2>/dev/null || true)
  if is_version "$p" "$v"; then echo "$p"; return; fi
  for p in $(ls -d "$PYENV_DIR/versions/$v".*/bin/python3 2>/dev/null | sort -t. -k3,3n -r); do
    if is_version "$p" "$v"; then echo "$p"; return; fi
  done
}

found=()
echo "== looking for CPython $VERSIONS (PATH, then $PYENV_DIR/versions)"
for v in $VERSIONS; do
  p=$(find_python "$v")
  if [ -n "$p" ]; then
    echo "   $v: found $p ($("$p" -c 'import platform; print(platform.python_version())'))"
    found+=("$v=$p")
  else
    echo "   $v: not found"
  fi
done
if [ "${#found[@]}" -lt 2 ]; then
  echo "== FAIL: found ${#found[@]} supported CPython version(s); make test-versions needs at least two" >&2
  exit 1
fi

if [ "${FIND_ONLY:-0}" = 1 ]; then exit 0; fi  # FIND_ONLY=1: only say what would run

results=()
status=0
for entry in "${found[@]}"; do
  v=${entry%%=*}; p=${entry#*=}
  extras="test,analysis,polars,service,dask"
  case "$v" in 3.11|3.12) extras="durable-rules,$extras" ;; esac
  echo "== Python $v ($p): .venv-$v with extras [$extras]"
  if "$p" -m venv ".venv-$v" \
     && ".venv-$v/bin/python" -m pip install --quiet --upgrade pip \
     && ".venv-$v/bin/python" -m pip install --quiet -e ".[$extras]" \
     && ".venv-$v/bin/python" tools/compile_hot_path.py; then
    log=".venv-$v/pytest.log"
    SAMARBEID_EXPECT_COMPILED=1 ".venv-$v/bin/python" -m pytest -q -p no:cacheprovider 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    last=$(grep -E '(passed|failed|error)' "$log" | tail -1)
    results+=("$v: exit $rc, $last")
    [ "$rc" -eq 0 ] || status=1
  else
    results+=("$v: could not create .venv-$v or install the package")
    status=1
  fi
done

echo "== ran the suite on ${#found[@]} version(s):"
for r in "${results[@]}"; do echo "   $r"; done
[ "$status" -eq 0 ] && echo "== all passed" || echo "== FAIL: the suite failed on at least one version" >&2
exit "$status"
