"""The durable-rules worker: a child process that holds the C extension, so it cannot take the host down.

Started by :class:`.durable.DurableEngine` as ``python -m
samarbeid_rules._pipeline.engines.durable_worker``, it speaks a length-prefixed
pickle protocol on its standard input and output (both ends are this
package's own code):

- ``("register", name, definitions)`` registers a ruleset (definitions are the
  JSON rule conditions, one per matcher; the worker adds the actions);
- ``("classify", name, records)`` asserts each record as a fact in a fresh
  session, deletes the session, and answers ``("ok", hits, live_sessions)``
  with the (matcher index, position) pairs that fired.

An exception is answered ``("error", kind)`` with its type name only (no
record content). The worker caps its own address space (``RLIMIT_AS``) at the
limit given in its first argument (MiB), so memory pressure ends it, not the
host; a segfault or a hang inside C ends only it (the parent's watchdog kills
it). It imports nothing of the rest of the package.
"""

from __future__ import annotations

import pickle
import struct
import sys
from typing import Any, BinaryIO

_LEN = struct.Struct("!Q")


def send(fh: BinaryIO, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    fh.write(_LEN.pack(len(data)) + data)
    fh.flush()


def receive(fh: BinaryIO) -> Any:
    head = _read_exactly(fh, _LEN.size)
    if head is None:
        return None
    (n,) = _LEN.unpack(head)
    data = _read_exactly(fh, n)
    if data is None:
        return None
    return pickle.loads(data)  # noqa: S301 - both ends are this package


def _read_exactly(fh: BinaryIO, n: int) -> bytes | None:
    chunks = []
    while n:
        chunk = fh.read(n)
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _limit_memory(mib: int) -> None:
    if mib <= 0:
        return
    try:
        import resource

        limit = mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not on this platform
        pass


def serve(inp: BinaryIO, out: BinaryIO) -> None:
    from durable import engine as durable_engine_module

    class _QuietHost(durable_engine_module.Host):
        def _run(self) -> None:  # no background timer threads
            pass

    host = _QuietHost()
    not_handled = durable_engine_module.MessageNotHandledException
    collect: dict[str, list[tuple[int, int]]] = {}
    sids = iter(range(1 << 62))

    def make_action(k: int):
        def action(c) -> None:  # exactly one parameter: synchronous
            collect[str(c.s.sid)].append((k, c.m.pos))

        return action

    while True:
        message = receive(inp)
        if message is None:
            return
        try:
            if message[0] == "register":
                _, name, definitions = message
                ruleset: dict[str, Any] = {"sentinel": {"all": [{"m": {"sentinel": 1}}], "run": make_action(-1)}}
                for k, condition in enumerate(definitions):
                    ruleset[f"r{k}"] = {"all": [{"m": condition}], "run": make_action(k)}
                host.register_rulesets({name: ruleset})
                send(out, ("ok", None, len(collect)))
            elif message[0] == "classify":
                _, name, records = message
                sid = f"s{next(sids)}"
                hits = collect[sid] = []
                try:
                    host.assert_fact(name, {"sid": sid, "id": "sentinel", "sentinel": 1, "pos": 0})
                    for pos, record in enumerate(records):
                        fact = dict(record)
                        fact["sid"] = sid
                        fact["id"] = f"e{pos}"
                        fact["pos"] = pos
                        try:
                            host.assert_fact(name, fact)
                        except not_handled:
                            pass  # the event plays no role in any duty
                    if not hits or hits[0] != (-1, 0):
                        raise RuntimeError("the session's sentinel action did not run")
                finally:
                    if hits and hits[0][0] == -1:
                        host.delete_state(name, sid)
                    del collect[sid]
                send(out, ("ok", hits[1:], len(collect)))
            elif message[0] == "ping":
                send(out, ("ok", None, len(collect)))
            else:  # pragma: no cover
                send(out, ("error", "unknown request"))
        except MemoryError:
            send(out, ("error", "MemoryError"))
            return
        except Exception as exc:  # noqa: BLE001 - reported by type only; the parent raises
            send(out, ("error", type(exc).__name__))


def main() -> None:
    _limit_memory(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    # Nothing else may write on the protocol channel.
    sys.stdout = sys.stderr
    serve(inp, out)


if __name__ == "__main__":
    main()
