"""``make serve``: a demo token file in DIR (a fixed, published token: for a loopback demo only)."""

from __future__ import annotations

import sys
from pathlib import Path

from samarbeid_rules._service.tokens import hash_token

DEMO_TOKEN = "demo-token-for-loopback-only"

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".serve")
out.mkdir(parents=True, exist_ok=True)
(out / "tokens.yaml").write_text(
    "# make serve's demo token: never use it beyond a loopback demo\n"
    f"tokens:\n  - name: demo\n    sha256: {hash_token(DEMO_TOKEN)}\n    read: [\"*\"]\n    write: [\"*\"]\n"
)
print(f"demo token: {DEMO_TOKEN}   (curl -H 'Authorization: Bearer {DEMO_TOKEN}' ...)")
