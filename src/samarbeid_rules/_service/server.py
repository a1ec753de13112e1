"""Starting the service: the store, the judge, the tokens, the app, and uvicorn on a loopback port.

TLS is the deployment's: run behind a reverse proxy that terminates it
(docs/service.md). The server binds to 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import gc
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._inputs.profile import Profile
from .._pipeline.evaluate import check_profile_terms, prepare_rules, resolve_profile
from .._pipeline.engines import get_engine
from .._inputs.ruleset import load_rules
from .audit import Auditor
from .cases import Cases, Judge
from .limits import Limits
from .store import LATEST_VERSION, SQLiteStore, Store, StoreError
from .tokens import load_tokens

__all__ = ["ServeOptions", "build", "load_examples", "open_checked", "open_store", "serve"]

log = logging.getLogger("samarbeid_rules.service")


@dataclass
class ServeOptions:
    store: str
    tokens: str
    host: str = "127.0.0.1"
    port: int = 8080
    rules: str | None = None
    profile: str | None = None
    engine: str = "native"
    upgrade: bool = False
    limits: Limits = Limits()
    examples: list[str] | None = None  # timeline files to load into the store at start (make serve)
    examples_token: str = "examples"


def open_store(url: str) -> Store:
    """A store by URL: ``postgresql://...`` (psycopg 3), ``sqlite:///PATH``, or a plain file path (SQLite)."""
    if url.startswith(("postgresql://", "postgres://")):
        from .store_pg import PostgresStore

        return PostgresStore(url)
    if url.startswith("sqlite:///"):
        return SQLiteStore(url.removeprefix("sqlite:///"))
    if "://" in url:
        raise StoreError("a store is a file path, sqlite:///PATH or postgresql://...")
    return SQLiteStore(url)


def open_checked(url: str, *, upgrade: bool) -> Store:
    """The store at ``url`` with this release's schema: an empty store is created; an older one is
    upgraded only with ``upgrade``; a newer one is refused."""
    store = open_store(url)
    try:
        version = store.schema_version()
        if version == 0 or (upgrade and version < LATEST_VERSION):
            store.upgrade()
        store.check_schema()
    except BaseException:
        store.close()
        raise
    return store


def build(opts: ServeOptions) -> Any:
    """The ASGI app for ``opts`` (store opened and checked, rules compiled, tokens read)."""
    from .api import Service, create_app

    tokens = load_tokens(opts.tokens)
    rules = prepare_rules(load_rules(opts.rules) if opts.rules else None)
    profile: Profile = resolve_profile(opts.profile)
    check_profile_terms(rules, profile)
    get_engine(opts.engine)
    store = open_checked(opts.store, upgrade=opts.upgrade)
    judge = Judge(rules, profile, opts.engine)
    cases = Cases(store, judge)
    if opts.examples:
        load_examples(cases, opts.examples)
    service = Service(cases, Auditor(store, judge), tokens, opts.limits)
    return create_app(service)


def load_examples(cases: Cases, files: list[str]) -> int:
    """Create the cases of timeline files and post their events (idempotent: a second start adds nothing)."""
    from .._inputs.timeline import load_timeline

    n = 0
    for name in files:
        tl = load_timeline(Path(name))
        prison = tl.prison_id or "examples"
        cases.create(prison, tl.case_id, tl.person.model_dump(mode="json"))
        events = [e.model_dump(mode="json") for e in tl.events]
        if events:
            cases.post(prison, tl.case_id, events)
        n += 1
    return n


def _tune_gc() -> None:
    """Fewer full garbage collections: a server holding a thousand warm monitors has millions of
    long-lived objects, and each full pass over them stalls every request for a few hundred ms.
    Objects made so far (the rules, the profile, loaded examples) are frozen out of the passes; the
    youngest generation is collected as usual, the oldest about a hundred times less often."""
    gc.collect()
    gc.freeze()
    first, second, _ = gc.get_threshold()
    gc.set_threshold(max(first, 10_000), second, 1_000)


def _lean_log_records() -> None:
    """Log records without what the server's lines never show (the calling source line, thread,
    process and task), as the logging HOWTO's "Optimization" section describes: every request
    writes an access line, and gathering those cost a post a few per cent of its time."""
    logging._srcfile = None  # type: ignore[attr-defined]  # documented there
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    if hasattr(logging, "logAsyncioTasks"):  # 3.12+
        logging.logAsyncioTasks = False


def serve(opts: ServeOptions) -> int:
    """Run the server until it is stopped; 0 on a clean stop, 3 if the store, the tokens or the rules are unusable."""
    import uvicorn

    from .._common.errors import SamarbeidError

    try:
        app = build(opts)
    except SamarbeidError as exc:
        print(f"samarbeid-rules serve: {exc}", file=sys.stderr)
        return 3
    log_config = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {"err": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}},
        "loggers": {
            "uvicorn": {"handlers": ["err"], "level": "INFO", "propagate": False},
            "uvicorn.access": {"handlers": ["err"], "level": "INFO", "propagate": False},
            "samarbeid_rules": {"handlers": ["err"], "level": "INFO", "propagate": False},
        },
    }
    _tune_gc()
    _lean_log_records()
    config = uvicorn.Config(app, host=opts.host, port=opts.port, log_config=log_config, access_log=True,
                            server_header=False, timeout_graceful_shutdown=5)
    uvicorn.Server(config).run()
    return 0
