"""The API under test: ``pnet serve`` (uvicorn, one worker) in its own process, so the client's Python
does not share a GIL with the server's; and the keep-alive HTTP clients that time it."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.instance import REPO

Check = Callable[[dict[str, Any]], None]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serving(store: str, data_dir: Path, env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    pnet = str(Path(sys.executable).parent / "pnet")
    command = [pnet, "--store", store, "--data-dir", str(data_dir), "serve", "--port", str(port)]
    command += ["--log-level", "warning"]
    proc = subprocess.Popen(command, cwd=REPO, env={**os.environ, **env, "PNET_GRAPHIQL": "false"})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # the embedded store unpickles its graph first
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"pnet serve exited with {proc.returncode}")
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("pnet serve did not become ready")
            time.sleep(0.3)
        yield f"{base}/graphql"
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def sequential(
    url: str, bodies: Sequence[dict[str, Any]], warmup: int, check: Check
) -> tuple[list[float], list[dict[str, Any]]]:
    """Latencies (ms) of ``bodies`` after ``warmup`` of them, one at a time over one connection."""
    times: list[float] = []
    answers: list[dict[str, Any]] = []
    with httpx.Client(timeout=60) as client:
        for i, body in enumerate(bodies):
            started = time.perf_counter()
            response = client.post(url, json=body)
            elapsed = (time.perf_counter() - started) * 1000
            data = response.json()
            check(data)
            if i >= warmup:
                times.append(elapsed)
                answers.append(data)
    return times, answers


def concurrent(
    url: str, bodies: Sequence[dict[str, Any]], clients: int, check: Check
) -> tuple[list[float], float, int]:
    """Latencies (ms), wall seconds and failed answers of ``bodies`` sent by ``clients`` clients at once."""

    async def run() -> tuple[list[float], float, int]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        for body in bodies:
            queue.put_nowait(body)
        times: list[float] = []
        errors: list[int] = []
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(timeout=120, limits=limits) as client:

            async def worker() -> None:
                while not queue.empty():
                    body = queue.get_nowait()
                    started = time.perf_counter()
                    response = await client.post(url, json=body)
                    times.append((time.perf_counter() - started) * 1000)
                    try:
                        check(response.json())
                    except AssertionError:
                        errors.append(1)  # e.g. TIMEOUT when the server is saturated: counted, not fatal

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(clients)))
            return times, time.perf_counter() - started, len(errors)

    return asyncio.run(run())
