"""Shared fixtures: every evaluation test runs on both engines."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

sys.path.insert(0, str(Path(__file__).parent))

from samarbeid_rules._pipeline.engines.durable import durable_available  # noqa: E402

# Property tests draw fresh examples on every local run (exploration), but CI
# (.ci/run sets HYPOTHESIS_PROFILE=ci) draws the same ones every time, so a
# run's result depends on the commit alone. A failure prints its reproduction
# blob either way.
settings.register_profile("dev", print_blob=True)
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

DURABLE_OK, DURABLE_WHY = durable_available()
ON_313 = sys.version_info >= (3, 13)
DURABLE_SKIP_REASON = "durable-rules 2.0.28 does not import on CPython 3.13+"


def _durable_skip_reason() -> str | None:
    """Why the durable-rules engine cannot run here, or None if it can."""
    if DURABLE_OK:
        return None
    return DURABLE_SKIP_REASON if ON_313 else DURABLE_WHY


def _durable_param():
    why = _durable_skip_reason()
    marks = [pytest.mark.skip(reason=why)] if why else []
    return pytest.param("durable-rules", marks=marks, id="durable-rules")


ENGINE_PARAMS = [pytest.param("native", id="native"), _durable_param()]


@pytest.fixture(params=ENGINE_PARAMS)
def engine(request) -> str:
    """The engine name to pass to evaluate(); each test using it runs on both engines."""
    return request.param


requires_durable = pytest.mark.skipif(not DURABLE_OK, reason=_durable_skip_reason() or "")

# pytester: tests/test_scenarios.py runs the pytest plugin in a temporary
# downstream project.
pytest_plugins = ["pytester"]

# --- the service's real parts (tests/service_support.py) -----------------------------------


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster for the session (skipped outside CI only if none is installed)."""
    from service_support import Postgres

    pg = Postgres()
    yield pg
    pg.stop()


@pytest.fixture(scope="session")
def token_file(tmp_path_factory):
    from service_support import write_tokens

    return write_tokens(tmp_path_factory.mktemp("tokens") / "tokens.yaml")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A fresh, empty store of each kind: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture(scope="module")
def server(request, tmp_path_factory, token_file):
    """One real server (``samarbeid-rules serve`` on a loopback port) per test module, on an empty
    SQLite store; a module that needs something in it first defines its own ``server``."""
    from service_support import Server

    srv = Server(str(tmp_path_factory.mktemp(request.module.__name__) / "store.db"), token_file).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def http(server):
    """An HTTP client of the module's server."""
    with server.client() as c:
        yield c
