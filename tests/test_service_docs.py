"""Every curl line of docs/service.md's ``service-curl`` blocks, run against a real server with the
examples loaded and the demo token of ``make serve``."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from service_support import ROOT, Server

DOC = ROOT / "docs" / "service.md"
DEMO_TOKEN = "demo-token-for-loopback-only"


def curl_lines() -> list[str]:
    blocks = re.findall(r"```sh service-curl\n(.*?)```", DOC.read_text(), flags=re.S)
    return [ln for b in blocks for ln in b.splitlines() if ln.strip().startswith("curl ")]


def test_the_page_has_a_curl_line_for_every_route():
    text = "\n".join(curl_lines())
    for route in ("/v1/health", "/v1/rules", "/v1/profile", "/v1/schemas/timeline", "/v1/schemas/report",
                  "/v1/openapi.json", "/v1/evaluate", "/cases/case-demo-1\"", "/events", "/report", "/worklist",
                  "/v1/prisons/prison-017/worklist", "/audit?", "/verify"):
        assert route in text, route


def test_every_curl_line_runs_against_the_server(tmp_path):
    if shutil.which("curl") is None:
        if os.environ.get("CI"):
            pytest.fail("curl is needed to run docs/service.md's examples")
        pytest.skip("curl not installed")
    tokens = tmp_path / "tokens.yaml"
    digest = hashlib.sha256(DEMO_TOKEN.encode()).hexdigest()
    tokens.write_text(f'tokens:\n  - name: demo\n    sha256: {digest}\n    read: ["*"]\n    write: ["*"]\n')
    examples = sorted(str(p) for p in (ROOT / "examples").glob("*.json"))
    srv = Server(str(tmp_path / "store.db"), tokens, "--load-examples", *examples, health_token=DEMO_TOKEN).start()
    try:
        env = {**os.environ, "BASE": srv.url, "TOKEN": DEMO_TOKEN}
        for line in curl_lines():
            expect = re.search(r"#\s*expect\s+([\d ]+)$", line)
            run = subprocess.run(["bash", "-c", "set -o pipefail; " + line], capture_output=True, text=True,
                                 env=env, cwd=ROOT, timeout=60)
            if expect:
                assert run.stdout.strip().splitlines()[-1] in expect.group(1).split(), (line, run.stdout)
            else:
                assert run.returncode == 0, (line, run.stdout, run.stderr)
    finally:
        srv.stop()
