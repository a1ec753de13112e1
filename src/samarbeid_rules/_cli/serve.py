"""``samarbeid-rules serve``, ``store``, ``audit verify`` and ``token new``: the HTTP service (docs/service.md).

The service's modules (and FastAPI, uvicorn, psycopg: the ``service`` extra)
are imported only when one of these commands runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from typing import Any, TextIO

__all__ = ["add_service_parsers"]

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_BAD_INPUT = 3


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return value


def _store_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", required=True, metavar="URL",
                   help="SQLite file path (or sqlite:///PATH), or postgresql://... (docs/service.md)")


def add_service_parsers(sub: Any) -> None:
    """Add ``serve``, ``store``, ``audit`` and ``token`` to the command's subparsers."""
    s = sub.add_parser(
        "serve", help="run the HTTP JSON API (docs/service.md)",
        description="Serve cases, events, reports and work lists over HTTP, with a durable store, "
        "an audit trail and bearer tokens. Exit 3 if the store, the tokens or the rules are unusable.",
    )
    _store_arg(s)
    s.add_argument("--tokens", required=True, metavar="FILE", help="token file (YAML; see `token new`)")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; TLS: a reverse proxy)")
    s.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    s.add_argument("--rules", default=None, metavar="DIR", help="rule set directory (default: shipped)")
    s.add_argument("--profile", default=None, metavar="FILE", help="interpretation profile (default: shipped)")
    s.add_argument("--engine", default="native", help="matching engine (default native)")
    s.add_argument("--upgrade", action="store_true", help="upgrade an older store schema first (back it up!)")
    s.add_argument("--max-body-bytes", type=_positive_int, default=1_048_576, metavar="N")
    s.add_argument("--max-events", type=_positive_int, default=500, metavar="N", help="events per request")
    s.add_argument("--request-seconds", type=_seconds, default=10.0, metavar="S", help="time limit per request")
    s.add_argument("--load-examples", nargs="*", default=None, metavar="FILE",
                   help="timeline files whose cases and events are loaded at start (idempotent)")
    s.set_defaults(func=_cmd_serve)

    st = sub.add_parser("store", help="the service's store: schema version, upgrade, backup",
                        description="Inspect, upgrade or back up the service's store.")
    st_sub = st.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    for name, helptext in (("version", "print the schema version of the store and of this release"),
                           ("upgrade", "apply the migrations the store lacks (back it up first)")):
        p = st_sub.add_parser(name, help=helptext, description=helptext)
        _store_arg(p)
        p.set_defaults(func=_cmd_store, action=name)
    b = st_sub.add_parser("backup", help="online backup of a SQLite store into a new file",
                          description="Copy a SQLite store with SQLite's online backup (safe while serving).")
    _store_arg(b)
    b.add_argument("--to", required=True, metavar="FILE", help="the backup file to write")
    b.set_defaults(func=_cmd_store, action="backup")

    a = sub.add_parser("audit", help="re-run recorded judgements",
                       description="Re-run an audit record's judgement from the store and confirm its digests.")
    a_sub = a.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    v = a_sub.add_parser("verify", help="re-run audit records and confirm their digests")
    _store_arg(v)
    v.add_argument("ids", nargs="+", type=int, metavar="ID", help="audit record ids")
    v.add_argument("--rules", default=None, metavar="DIR")
    v.add_argument("--profile", default=None, metavar="FILE")
    v.add_argument("--engine", default="native")
    v.set_defaults(func=_cmd_audit_verify)

    o = sub.add_parser("openapi", help="print the service's OpenAPI 3.1 document (docs/openapi.json)",
                       description="Print the OpenAPI 3.1 document that `serve` serves at /v1/openapi.json.")
    o.set_defaults(func=_cmd_openapi)

    t = sub.add_parser("token", help="make bearer tokens for the token file")
    t_sub = t.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    n = t_sub.add_parser("new", help="print a new random token and its token-file entry (the hash only)")
    n.add_argument("--name", required=True, help="the token's name, recorded in the audit trail")
    n.add_argument("--read", action="append", default=[], metavar="PRISON", help="prison it may read ('*': all)")
    n.add_argument("--write", action="append", default=[], metavar="PRISON", help="prison it may write")
    n.set_defaults(func=_cmd_token_new)


def _err(message: object) -> None:
    print(f"samarbeid-rules: {message}", file=sys.stderr)


def _cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    from .._service.limits import Limits
    from .._service.server import ServeOptions, serve

    limits = Limits(max_body_bytes=args.max_body_bytes, max_events=args.max_events,
                    request_seconds=args.request_seconds, max_horizon=timedelta(days=31))
    opts = ServeOptions(store=args.store, tokens=args.tokens, host=args.host, port=args.port, rules=args.rules,
                        profile=args.profile, engine=args.engine, upgrade=args.upgrade, limits=limits,
                        examples=args.load_examples)
    return serve(opts)


def _cmd_store(args: argparse.Namespace, out: TextIO) -> int:
    from .._common.errors import SamarbeidError
    from .._service.server import open_store
    from .._service.store import LATEST_VERSION, SQLiteStore

    try:
        store = open_store(args.store)
        try:
            if args.action == "version":
                out.write(f"store schema {store.schema_version()}, this release {LATEST_VERSION}\n")
            elif args.action == "upgrade":
                applied = store.upgrade()
                out.write(f"applied {', '.join(map(str, applied))}\n" if applied else "already at the latest\n")
                out.write(f"store schema {store.schema_version()}\n")
            else:
                if not isinstance(store, SQLiteStore):
                    _err("store backup is for SQLite; back up PostgreSQL with pg_dump (docs/service.md)")
                    return EXIT_USAGE
                store.backup(args.to)
                out.write(f"backed up to {args.to}\n")
        finally:
            store.close()
    except SamarbeidError as exc:
        _err(exc)
        return EXIT_BAD_INPUT
    return EXIT_OK


def _cmd_audit_verify(args: argparse.Namespace, out: TextIO) -> int:
    from .._common.errors import SamarbeidError
    from .._pipeline.evaluate import prepare_rules, resolve_profile
    from .._inputs.ruleset import load_rules
    from .._service.audit import Auditor
    from .._service.cases import Judge
    from .._service.errors import ServiceError
    from .._service.server import open_checked

    try:
        store = open_checked(args.store, upgrade=False)
        judge = Judge(prepare_rules(load_rules(args.rules) if args.rules else None),
                      resolve_profile(args.profile), args.engine)
        auditor = Auditor(store, judge)
        all_ok = True
        for rid in args.ids:
            row = store.get_audit(rid)
            if row is None:
                _err(f"no audit record {rid}")
                all_ok = False
                continue
            try:
                result = auditor.verify(row)
            except ServiceError as exc:
                _err(f"audit record {rid}: {exc.message}")
                all_ok = False
                continue
            all_ok = all_ok and result["confirmed"]
            out.write(json.dumps(result) + "\n")
        store.close()
    except SamarbeidError as exc:
        _err(exc)
        return EXIT_BAD_INPUT
    return EXIT_OK if all_ok else 1


def _cmd_openapi(args: argparse.Namespace, out: TextIO) -> int:
    from .._service.api import openapi_text

    out.write(openapi_text())
    return EXIT_OK


def _cmd_token_new(args: argparse.Namespace, out: TextIO) -> int:
    import re

    from .._service.tokens import new_token_entry

    if not re.fullmatch(r"[A-Za-z0-9._-]{1,100}", args.name):
        _err("a token name is letters, digits, '.', '_' and '-'")
        return EXIT_USAGE
    if any(not re.fullmatch(r"\*|[^\s*]+", p) for p in (*args.read, *args.write)):
        _err("a prison id is one word, or '*'")
        return EXIT_USAGE
    token, entry = new_token_entry(args.name, args.read, args.write)
    out.write(f"token (give it to the client; it is not stored):\n{token}\n\n")
    out.write(f"entry for the token file (under tokens:):\n{entry}")
    return EXIT_OK
