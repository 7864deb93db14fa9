"""``pnet serve`` for real: uvicorn on a port, one worker or several, and a graceful SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.api_region import PCP, REFERRAL_QUERY, build_region, referral_variables

from network.store.memory import MemoryStore

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    store = build_region(MemoryStore(tmp_path / "graph.pickle"))
    store.close()  # persists the embedded graph where `pnet serve` will open it
    return tmp_path


@pytest.fixture(params=[1, 2], ids=["one-worker", "two-workers"])
def server(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = _free_port()
    pnet = Path(sys.executable).with_name("pnet")
    proc = subprocess.Popen(
        [
            *(str(pnet), "--store", "memory", "--data-dir", str(data_dir), "serve", "--port", str(port)),
            *("--workers", str(request.param), "--graceful-timeout", "5", "--keep-alive", "1"),
        ],
        env={**os.environ, "PNET_GRAPHIQL": "false"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None:
                pytest.fail(f"pnet serve exited early:\n{proc.stdout.read() if proc.stdout else ''}")
            time.sleep(0.1)
        else:
            pytest.fail("pnet serve did not become ready")
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_serve_answers_then_stops_gracefully(server: tuple[str, subprocess.Popen[str]]) -> None:
    base, proc = server
    answer = httpx.post(f"{base}/graphql", json={"query": REFERRAL_QUERY, "variables": referral_variables()})
    refused = httpx.get(f"{base}/graphql", params={"query": f'{{ provider(npi: "{PCP}") {{ name }} }}'})
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert answer.json()["data"]["referralOptions"]["__typename"] == "ReferralOptions"
    assert refused.status_code == 405
    # uvicorn re-raises SIGTERM once it has shut down cleanly (its worker manager exits 0).
    assert proc.returncode in (0, -signal.SIGTERM), out
    assert "Application shutdown complete" in out
    assert "POST /graphql 200" in out  # pnet's access log ...
    assert "41.7658" not in out and PCP not in out  # ... carries no variables or query strings


def test_serve_closes_a_connection_idle_past_keep_alive(server: tuple[str, subprocess.Popen[str]]) -> None:
    base, _ = server
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            assert chunk, f"closed before the answer's headers: {answer!r}"
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200")
        assert b"connection: close" not in answer.lower()  # kept open, until idle too long
        idle = time.monotonic()
        rest = sock.recv(4096)  # the body, unless it came with the headers
        while rest:
            rest = sock.recv(4096)  # b"": the server closed the connection
        waited = time.monotonic() - idle
    # --keep-alive 1, not uvicorn's 5 s default (the socket's own timeout is 10 s).
    assert 0.5 < waited < 4, waited
