"""Bearer tokens: a file of named tokens, each stored as its SHA-256 only, with the prisons it may read and write.

The file is YAML::

    tokens:
      - name: oslo-officers          # recorded in the audit trail
        sha256: 9f86d081884c7d65...  # hex SHA-256 of the token, never the token
        read: ["prison-017"]         # may read these prisons' cases ("*": every prison)
        write: ["prison-017"]        # may create cases and post events there

``samarbeid-rules token new --name NAME --read P --write P`` makes a random
token (32 bytes from :mod:`secrets`), prints it once and prints the entry to
paste. A token is high-entropy random, so one SHA-256 is enough to keep the
file useless to a reader (no salt or slow hash is needed, unlike a password).
A prison a token may write is one it may read.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .._common.errors import SamarbeidError
from .._inputs.yamlread import read_yaml_model

__all__ = ["Grant", "TokenError", "TokenFile", "hash_token", "load_tokens", "new_token_entry"]

_PRISON = r"^(\*|[^\s*]+)$"


class TokenError(SamarbeidError):
    """The token file cannot be read or is invalid (its location is in the message, never a hash)."""


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    read: list[str] = Field(default_factory=list)
    write: list[str] = Field(default_factory=list)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tokens: list[_Entry] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Grant:
    """What one token may do."""

    name: str
    read: frozenset[str]
    write: frozenset[str]

    def may_read(self, prison_id: str | None) -> bool:
        return prison_id is not None and ("*" in self.read or prison_id in self.read or self.may_write(prison_id))

    def may_write(self, prison_id: str | None) -> bool:
        return prison_id is not None and ("*" in self.write or prison_id in self.write)


class TokenFile:
    """The grants of a token file, found by the hash of a presented token."""

    def __init__(self, grants: Iterable[tuple[str, Grant]]) -> None:
        self._by_hash = dict(grants)

    def grant_for(self, token: str) -> Grant | None:
        # looked up by the hash of the presented token: the lookup's timing tells nothing of a stored token
        return self._by_hash.get(hash_token(token))

    def __len__(self) -> int:
        return len(self._by_hash)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def load_tokens(path: str | Path) -> TokenFile:
    """Read and check a token file; a :class:`TokenError` names the file, the line and the field."""
    try:
        data = read_yaml_model(Path(path), _File, "token file")
    except SamarbeidError as exc:
        raise TokenError(str(exc)) from None
    except (OSError, ValidationError) as exc:  # pragma: no cover - read_yaml_model locates these
        raise TokenError(f"{path}: cannot read the token file ({type(exc).__name__})") from None
    seen_names: set[str] = set()
    grants = []
    for entry in data.tokens:
        if entry.name in seen_names:
            raise TokenError(f"{path}: token name {entry.name!r} is used twice")
        seen_names.add(entry.name)
        for prison in (*entry.read, *entry.write):
            if not re.match(_PRISON, prison):
                raise TokenError(f"{path}: token {entry.name!r}: a prison id is one word, or '*'")
        grants.append((entry.sha256, Grant(entry.name, frozenset(entry.read), frozenset(entry.write))))
    if len({h for h, _ in grants}) != len(grants):
        raise TokenError(f"{path}: two tokens have the same hash")
    return TokenFile(grants)


def new_token_entry(name: str, read: Iterable[str], write: Iterable[str]) -> tuple[str, str]:
    """A fresh random token and its token-file entry (YAML text): (token, entry)."""
    token = secrets.token_urlsafe(32)
    read_list, write_list = sorted(set(read)), sorted(set(write))

    def flow(items: list[str]) -> str:
        return json.dumps(items)  # quoted: a bare * would be a YAML alias

    entry = (
        f"  - name: {name}\n    sha256: {hash_token(token)}\n"
        f"    read: {flow(read_list)}\n    write: {flow(write_list)}\n"
    )
    return token, entry
