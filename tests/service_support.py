"""Real parts for the service's tests: a server process on a free loopback port, and a throwaway PostgreSQL.

Nothing here is a mock: :class:`Server` starts ``samarbeid-rules serve`` as a
subprocess and waits for ``/v1/health``; :class:`Postgres` runs ``initdb`` and
``pg_ctl`` from the PostgreSQL binaries on PATH (``.ci/run`` installs Debian's
``postgresql`` where they are missing) on a temporary directory and a free port.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
LOGS = Path(tempfile.gettempdir()) / f"samarbeid-service-test-logs-{os.getpid()}"

#: tokens of the tests' token file (name -> (token, read, write))
TOKENS: dict[str, tuple[str, list[str], list[str]]] = {
    "all": ("token-all-0123456789abcdef0123456789abcdef", ["*"], ["*"]),
    "oslo": ("token-oslo-0123456789abcdef0123456789abcde", ["oslo"], ["oslo"]),
    "bergen": ("token-bergen-0123456789abcdef0123456789abc", ["bergen"], ["bergen"]),
    "oslo-reader": ("token-oslo-reader-0123456789abcdef012345", ["oslo"], []),
}


def write_tokens(path: Path) -> Path:
    import hashlib
    import json

    lines = ["tokens:"]
    for name, (token, read, write) in TOKENS.items():
        lines += [f"  - name: {name}", f"    sha256: {hashlib.sha256(token.encode()).hexdigest()}",
                  f"    read: {json.dumps(read)}", f"    write: {json.dumps(write)}"]
    path.write_text("\n".join(lines) + "\n")
    return path


def auth(name: str = "all") -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[name][0]}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _MAIN, *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT)


_MAIN = "import sys; from samarbeid_rules._cli import main; sys.exit(main())"


class Server:
    """``samarbeid-rules serve`` in a subprocess on a free loopback port (its log kept under LOGS)."""

    def __init__(self, store: str, tokens: Path, *extra: str, health_token: str | None = None) -> None:
        self.store, self.tokens, self.extra = store, tokens, extra
        self.health_headers = auth() if health_token is None else {"Authorization": f"Bearer {health_token}"}
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        LOGS.mkdir(exist_ok=True)
        self.log = LOGS / f"server-{time.monotonic_ns()}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> Server:
        self.port = free_port()
        fh = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _MAIN, "serve", "--store", self.store, "--tokens", str(self.tokens),
             "--port", str(self.port), *self.extra],
            stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT,
        )
        fh.close()
        deadline = time.monotonic() + timeout  # a test's own time limit, not the library's clock
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/v1/health", headers=self.health_headers, timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("server did not answer /v1/health in time")

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill9()
        self.proc = None

    def client(self, token: str = "all", **kw: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=auth(token), timeout=kw.pop("timeout", 30), **kw)


# --- PostgreSQL ------------------------------------------------------------------------------


def _pg_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    for cand in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (cand / "pg_ctl").exists():
            return cand
    return None


def _as_owner(owner: str | None, cmd: list[str]) -> list[str]:
    return cmd if owner is None else ["runuser", "-u", owner, "--", *cmd]


class Postgres:
    """A throwaway PostgreSQL cluster: initdb into a temporary directory, pg_ctl start on a free port."""

    def __init__(self) -> None:
        bindir = _pg_bin()
        if bindir is None:
            why = "PostgreSQL binaries (initdb, pg_ctl) not found; .ci/run installs Debian's postgresql"
            if os.environ.get("CI"):
                pytest.fail(why)  # never skipped silently in CI
            pytest.skip(why)
        self.bindir = bindir
        # initdb refuses to run as root: run the cluster as the postgres user (or nobody) then
        self.owner = None
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                try:
                    pwd.getpwnam(name)
                    self.owner = name
                    break
                except KeyError:
                    continue
        self.dir = Path(tempfile.mkdtemp(prefix="samarbeid-pg-"))
        self.data = self.dir / "data"
        if self.owner is not None:
            shutil.chown(self.dir, self.owner)
        self.port = free_port()
        self._run([str(bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                   "--no-sync"])
        opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=on"
        self._run([str(bindir / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.dir / "log"), "-w",
                   "start"])
        self._n = 0

    def _run(self, cmd: list[str]) -> None:
        done = subprocess.run(_as_owner(self.owner, cmd), capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(cmd[0]).name} failed: {done.stdout[-1500:]} {done.stderr[-1500:]}")

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def new_database(self) -> str:
        """A new empty database; its URL."""
        import psycopg

        self._n += 1
        name = f"t{os.getpid()}_{self._n}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(_as_owner(self.owner, [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                                              "stop"]), capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)
