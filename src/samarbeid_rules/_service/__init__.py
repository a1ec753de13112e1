"""Stage 5, the service: ``samarbeid-rules serve``, an HTTP JSON API over the library.

Cases and their events are kept in a durable store (SQLite, or PostgreSQL for
several server processes); every report and work list served is recorded in
an append-only audit trail; bearer tokens say which prisons a caller may read
and write. Evaluation stays the library's: a pure function of the stored
events, the rules, the profile and ``as_of`` (see docs/service.md).

Imports only from earlier stages; only the command line imports from here.
FastAPI, uvicorn and psycopg come with the ``service`` extra and are imported
by the modules that need them, not by this package.
"""
