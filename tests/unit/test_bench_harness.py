"""The benchmark harness's pure parts on fixed data (no timing is asserted anywhere)."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.floor import bare_node_statement, bare_statements
from bench.instance import Neo4jInstance
from bench.results import BEGIN, END, failed_checks, git_commit, latest_runs, tables, update_markdown
from bench.server import KeepAlive, concurrent, server_ms
from bench.stats import ratio, summarize
from bench.threads import cpu_by_group, group_of, spent
from network.model import Label


def test_summarize_percentiles_and_rate() -> None:
    s = summarize([float(x) for x in range(1, 101)], seconds=2.0)
    assert s["n"] == 100
    assert s["p50_ms"] == 50.5
    assert s["p99_ms"] == 99.01
    assert s["per_s"] == 50.0
    assert summarize([]) == {"n": 0}


def test_ratio_refuses_missing_figures() -> None:
    assert ratio(3.0, 2.0) == 1.5
    assert ratio(None, 2.0) is None
    assert ratio(1.0, 0.0) is None


def _result(date: str, dataset: str, p50: float) -> dict[str, object]:
    return {
        "date": date,
        "commit": "abcdef0123456789",
        "load_avg_start": [1.0, 0.5, 0.25],
        "_file": f"{date}.json",
        "runs": [
            {
                "dataset": dataset,
                "store": "neo4j",
                "practitioners": 10,
                "referral_rows": 100,
                "load": {
                    "loaders": {"nppes": {"read": 10, "seconds": 1.0, "rows_per_s": 10.0, "ratio": 1.25}},
                    "total_seconds": 1.0,
                },
                "referral": {"store": {"n": 5, "p50_ms": p50}, "http_1": {"n": 5, "p50_ms": 2 * p50}},
            }
        ],
    }


def test_newest_run_per_dataset_and_store_wins() -> None:
    runs = latest_runs([_result("2026-01-02", "S", 9.0), _result("2026-01-01", "S", 1.0)])
    assert len(runs) == 1 and runs[0]["referral"]["store"]["p50_ms"] == 9.0


def test_markdown_keeps_hand_written_text(tmp_path: Path) -> None:
    md = tmp_path / "BENCHMARKS.md"
    md.write_text(f"# Benchmarks\n\nintro\n\n{BEGIN}\nold table\n{END}\n\n## Optimisations\nkept\n")
    update_markdown(md, tables([_result("2026-01-01", "S", 3.0), _result("2026-01-01", "M", 4.0)]))
    text = md.read_text()
    assert "old table" not in text
    assert "intro" in text and "## Optimisations\nkept" in text
    assert text.index("| S | neo4j | nppes |") < text.index("| M | neo4j | nppes |")
    assert "| 1.25 |" in text


def test_bare_statement_builds_every_link() -> None:
    text = bare_node_statement(Label.PARTICIPATION)
    for rel in ("HAS_ROLE", "IN_NETWORK", "AT_LOCATION", "FOR_SPECIALTY", "WITH_ORGANIZATION"):
        assert f":{rel}]" in text
    assert "content_hash" not in text


def test_latencies_are_grouped_by_search_class_and_tabled() -> None:
    from bench.queries import _by_class
    from network.services import GeoQuery, ReferralRequest

    def req(specialty: str | None, radius: float) -> ReferralRequest:
        return ReferralRequest("1003000100", "P", GeoQuery(lat=41.0, lon=-72.0), radius, specialty)

    requests = [req(None, 25.0), req("Cardiology", 5.0), req(None, 25.0)]
    by_class = _by_class(requests, [10.0, 2.0, 30.0])
    assert {k: v["n"] for k, v in by_class.items()} == {"any specialty, 25 mi": 2, "one specialty, 5 mi": 1}
    assert by_class["any specialty, 25 mi"]["p50_ms"] == 20.0
    run = {"dataset": "S", "store": "neo4j", "referral": {"http_1_by_class": by_class}}
    text = tables([{"date": "2026-01-01", "runs": [run]}])
    assert "| S | neo4j | any specialty, 25 mi | 2 | - | - | 20.00 |" in text


def test_bare_statements_answer_one_record_per_batch() -> None:
    # A RETURN without an aggregate would stream a record per row: a slower floor, a flattering ratio.
    for text in bare_statements().values():
        last = text.strip().splitlines()[-2:]
        assert any(line.startswith("WITH count(") or "collect(" in line for line in last), text


def test_a_runs_own_outputs_do_not_mark_the_code_dirty(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=tmp_path, check=True)

    git("init", "-q")
    (tmp_path / "bench" / "results").mkdir(parents=True)
    (tmp_path / "code.py").write_text("x = 1\n")
    (tmp_path / "BENCHMARKS.md").write_text("# Benchmarks\n")
    git("add", "-A")
    git("commit", "-qm", "base")
    (tmp_path / "BENCHMARKS.md").write_text("# Benchmarks\nnew tables\n")
    (tmp_path / "bench" / "results" / "run.json").write_text("{}\n")
    assert git_commit(tmp_path)["dirty"] is False
    (tmp_path / "code.py").write_text("x = 2\n")
    assert git_commit(tmp_path)["dirty"] is True


def test_the_offline_anchor_is_tabled_beside_the_same_runs_load(tmp_path: Path) -> None:
    result = _result("2026-11-30T00:00:00+00:00", "S", 5.0)
    run = result["runs"][0]  # type: ignore[index]
    run["load"] = {"total_seconds": 30.0, "floor_seconds": 20.0}
    run["offline"] = {"import_seconds": 8.0, "schema_seconds": 2.0, "total_seconds": 10.0, "verified": True}
    failed = _result("2026-11-30T01:00:00+00:00", "M", 5.0)
    failed["runs"][0]["offline"] = {"error": "RuntimeError: neo4j-admin import failed"}  # type: ignore[index]
    text = tables([result, failed])
    (s_row,) = [
        line
        for line in text.splitlines()
        if line.startswith("| S |") and "`2026" in line and "| yes |" in line
    ]
    assert "| 10.0 | 30.0 | 20.0 | 3.0 | yes |" in s_row
    assert "RuntimeError: neo4j-admin import failed" in text


def test_a_run_fails_on_any_agreement_check_it_recorded_as_failed() -> None:
    agreed = {
        "dataset": "S",
        "store": "neo4j",
        "referral": {"same_specialists": True},
        "referral_page": {"same_specialists": True},
        "load": {"whole": {"same_counts": True}},
        "offline": {"verified": True},
    }
    memory = {"dataset": "S", "store": "memory", "referral": {"same_specialists": True}}  # no load, no anchor
    assert failed_checks({"runs": [agreed, memory]}) == []
    one_reset = {"same_specialists": True, "requests": 1000, "http_32": {"unanswered": 1, "errors": 1}}
    assert failed_checks({"runs": [{**agreed, "referral": one_reset}]}) == []
    broken = [
        {**agreed, "referral": {"same_specialists": False}},
        {**agreed, "referral_page": {"same_specialists": False}},
        {**agreed, "load": {"whole": {"same_counts": False}}},
        {**agreed, "offline": {"verified": False}},
        {**agreed, "offline": {"error": "RuntimeError: neo4j-admin import failed"}},
        {
            **agreed,
            "referral_page": {
                "same_specialists": True,
                "requests": 1000,
                "http_8": {"unanswered": 11, "unanswered_first": "ConnectError: refused"},
            },
        },
    ]
    found = [failed_checks({"runs": [memory, run]}) for run in broken]
    assert [len(f) for f in found] == [1, 1, 1, 1, 1, 1]
    assert "S on neo4j, referral:" in found[0][0]
    assert "S on neo4j, referral_page" in found[1][0]
    assert "whole load" in found[2][0]
    assert "offline import" in found[3][0]
    assert "neo4j-admin import failed" in found[4][0]
    assert "http_8: 11 requests unanswered, the first: ConnectError" in found[5][0]


def test_a_run_that_loads_first_leaves_the_start_to_the_wipe(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(Neo4jInstance, "_script", lambda self, command: calls.append(command))
    inst = Neo4jInstance(home=tmp_path)  # wipe deletes the home's data folder
    (tmp_path / "data").mkdir()
    with inst.running(start=False):
        inst.wipe()
    with inst.running():
        pass
    with inst.running(manage=False):
        pass
    assert calls == ["stop", "start", "stop", "start", "stop"]
    assert not (tmp_path / "data").exists()


def test_store_files_are_read_whole_and_only_the_databases(tmp_path: Path) -> None:
    databases = tmp_path / "data" / "databases" / "neo4j"
    databases.mkdir(parents=True)
    (databases / "neostore.nodestore.db").write_bytes(b"n" * ((1 << 20) + 3))  # more than one chunk
    (databases / "schema").mkdir()
    (databases / "schema" / "index").write_bytes(b"ix")
    (tmp_path / "data" / "transactions").mkdir()
    (tmp_path / "data" / "transactions" / "neostore.transaction.db.0").write_bytes(b"t" * 100)
    assert Neo4jInstance(home=tmp_path).read_store_files() == (1 << 20) + 3 + 2


@contextmanager
def _echo_server(*, close: bool) -> Iterator[tuple[str, list[tuple[str, int]]]]:
    """A local HTTP/1.1 server answering ``{"echo": body}`` with a Server-Timing header; with ``close``
    it closes each connection after its answer, as uvicorn does to one idle past its keep-alive."""
    peers: list[tuple[str, int]] = []

    class Echo(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive

        def do_POST(self) -> None:
            peers.append(self.client_address)
            body = self.rfile.read(int(self.headers["content-length"]))
            reply = json.dumps({"echo": json.loads(body)}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(reply)))
            self.send_header("server-timing", "db;desc=x, app;dur=1.25")
            self.end_headers()
            self.wfile.write(reply)
            self.close_connection = close

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/graphql", peers
    finally:
        server.shutdown()
        server.server_close()


def test_keep_alive_client_reuses_one_connection_and_reads_the_server_time() -> None:
    with _echo_server(close=False) as (url, peers), KeepAlive(url) as client:
        answers = [client.post({"n": n}) for n in range(3)]
    assert [a.body for a in answers] == [{"echo": {"n": n}} for n in range(3)]
    assert {a.status for a in answers} == {200}
    assert {a.server_ms for a in answers} == {1.25}
    assert len(set(peers)) == 1  # one connection for all three
    assert server_ms(None) is None
    assert server_ms("app") is None


def test_keep_alive_client_reconnects_when_the_server_closed_the_connection() -> None:
    with _echo_server(close=True) as (url, peers), KeepAlive(url) as client:
        answers = []
        for n in range(3):
            answers.append(client.post({"n": n}))
            time.sleep(0.05)  # let the server's close arrive
    assert [a.body for a in answers] == [{"echo": {"n": n}} for n in range(3)]
    assert len(set(peers)) == 3  # a new connection each time


def _answer(body: bytes, *headers: str) -> bytes:
    head = "".join(f"{h}\r\n" for h in (*headers, f"content-length: {len(body)}"))
    return f"HTTP/1.1 200 OK\r\n{head}\r\n".encode() + body


def _read_request(conn: socket.socket) -> bool:
    """One request read up to its body's end; False when the client closed first."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return False
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return False
        body += chunk
    return True


@contextmanager
def _scripted_server(*connections: list[bytes | None]) -> Iterator[tuple[str, list[int]]]:
    """A socket serving the i-th connection it accepts with ``connections[i]``: the next answer for each
    request read (None: none for this one, the connection kept; empty: the connection closed unanswered;
    RESET: reset unanswered), then it closes; so does the listener once the scripts are done. For answers
    the standard library's server does not send (chunked, cut short, none, late). Yields the URL and a
    counter of the connections accepted."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = [0]

    def serve() -> None:
        for answers in connections:
            try:
                conn, _ = listener.accept()
            except OSError:
                return  # the test is over
            accepted[0] += 1
            with conn:
                for answer in answers:
                    if not _read_request(conn) or answer == b"":
                        break
                    if answer is RESET:
                        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        break  # closed with a reset (RST), not a FIN
                    if answer is not None:
                        conn.sendall(answer)
        listener.close()  # a connection no script expects is refused, not left to time out

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/graphql", accepted
    finally:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes a pending accept()
        listener.close()
        thread.join(5)


OK = _answer(b'{"a":1}')
RESET = b"reset"  # compared by identity


def test_keep_alive_client_reads_a_chunked_answer() -> None:
    chunked = b'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\n{"a":\r\n2\r\n1}\r\n0\r\n\r\n'
    with _scripted_server([chunked]) as (url, _), KeepAlive(url, timeout=5) as client:
        got = client.post({})
    assert (got.status, got.body, got.server_ms) == (200, {"a": 1}, None)


def test_keep_alive_client_refuses_an_answer_cut_short() -> None:
    cut = b'HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"a":'
    with (
        _scripted_server([cut]) as (url, _),
        KeepAlive(url, timeout=5) as client,
        pytest.raises(ConnectionError, match="in the middle of an answer"),
    ):
        client.post({})


def test_keep_alive_client_refuses_a_new_connection_closed_unanswered() -> None:
    with _scripted_server([b""], [OK]) as (url, accepted), KeepAlive(url, timeout=5) as client:
        with pytest.raises(ConnectionError, match="without answering"):
            client.post({})
        assert accepted == [1]  # not tried again: a new connection closed unanswered is an answer


def test_keep_alive_client_sends_again_once_when_the_kept_connection_was_closed() -> None:
    # The server closes the kept connection on reading the second request (as uvicorn may between the
    # client's check and its request): sent once more, on a new connection.
    with _scripted_server([OK, b""], [OK]) as (url, accepted), KeepAlive(url, timeout=5) as client:
        answers = [client.post({}), client.post({})]
        assert [a.body for a in answers] == [{"a": 1}] * 2
        assert accepted == [2]
    # ... and only once: a new connection that closes unanswered too fails.
    with _scripted_server([OK, b""], [b""], [OK]) as (url, accepted), KeepAlive(url, timeout=5) as client:
        client.post({})
        with pytest.raises(ConnectionError, match="without answering"):
            client.post({})
        assert accepted == [2]


def test_keep_alive_client_takes_a_reset_before_any_answer_as_a_close() -> None:
    with _scripted_server([OK, RESET], [OK]) as (url, accepted), KeepAlive(url, timeout=5) as client:
        assert [client.post({}).body for _ in range(2)] == [{"a": 1}] * 2
        assert accepted == [2]
    with (
        _scripted_server([RESET], [OK]) as (url, accepted),
        KeepAlive(url, timeout=5) as client,
        pytest.raises(ConnectionError, match="without answering"),
    ):
        client.post({})


def test_keep_alive_client_leaves_a_connection_the_server_says_it_closes() -> None:
    # The server keeps the socket open after "connection: close": a client that ignored the header would
    # send its second request on it.
    with (
        _scripted_server([_answer(b'{"n":1}', "connection: close"), OK], [_answer(b'{"n":2}')]) as (
            url,
            accepted,
        ),
        KeepAlive(url, timeout=5) as client,
    ):
        assert [client.post({}).body for _ in range(2)] == [{"n": 1}, {"n": 2}]
        assert accepted == [2]


def test_keep_alive_client_does_not_read_a_late_answer_as_the_next_ones() -> None:
    # No answer to the first request until the second arrives on the same connection: a client that kept
    # the connection it gave up on would read the first answer as the second's.
    late = [None, _answer(b'{"n":1}')]
    with (
        _scripted_server(late, [_answer(b'{"n":2}')]) as (url, accepted),
        KeepAlive(url, timeout=0.5) as client,
    ):
        with pytest.raises(TimeoutError):
            client.post({})
        client.timeout = 5  # the next exchange is answered at once: no race with a loaded machine
        assert client.post({}).body == {"n": 2}
        assert accepted == [2]


def test_concurrent_clients_count_a_reset_connection_and_go_on() -> None:
    """A request whose connection fails is reported and counted, and the run goes on with the rest."""
    answers: list[dict[str, object]] = []
    with _scripted_server([OK, RESET], [OK, OK]) as (url, accepted):
        run = concurrent(url, [{"n": i} for i in range(4)], 1, answers.append)
    assert len(run.times) == len(answers) == 3
    assert run.errors == 0
    assert len(run.unanswered) == 1 and run.unanswered[0].startswith(("ReadError", "RemoteProtocolError"))
    assert accepted[0] == 2


def _stat(pid: int, name: str, utime: int, stime: int) -> str:
    # Fields after the parenthesised name: state, then 10 more, then utime and stime (14th and 15th).
    return f"{pid} ({name}) " + " ".join(["S"] + ["0"] * 10 + [str(utime), str(stime)] + ["0"] * 5) + "\n"


def _fake_proc(root: Path, pid: int, threads: dict[str, tuple[int, int]], exited: int = 0) -> Path:
    """A /proc holding ``pid``'s live threads (name -> utime, stime in clock ticks) and the process's
    total, which also keeps ``exited`` ticks of threads gone."""
    for tid, (name, (utime, stime)) in enumerate(threads.items(), start=pid):
        task = root / str(pid) / "task" / str(tid)
        task.mkdir(parents=True, exist_ok=True)
        (task / "comm").write_text(name + "\n")
        (task / "stat").write_text(_stat(tid, name, utime, stime))
    total = sum(u + s for u, s in threads.values()) + exited
    (root / str(pid) / "stat").write_text(_stat(pid, "java", total, 0))
    return root


def test_neo4j_cpu_is_split_by_thread_group(tmp_path: Path) -> None:
    tick = os.sysconf("SC_CLK_TCK")
    threads = {
        "neo4j.BoltWorke": (30 * tick, 10 * tick),
        "C2 CompilerThre": (8 * tick, 0),
        "C1 CompilerThre": (2 * tick, 0),
        "GC Thread#0": (tick, 0),
        "neo4j.BoltNetwo": (tick, tick),
        "neo4j.IndexSamp": (3 * tick, 0),
    }
    after = cpu_by_group(4242, _fake_proc(tmp_path / "after", 4242, threads, exited=5 * tick))
    assert after == {
        "bolt_workers": 40.0,
        "bolt_network": 2.0,
        "jit": 10.0,
        "gc": 1.0,
        "other": 3.0,
        "process": 61.0,
    }
    assert group_of("java") == "other"
    # A C2 thread with 4 s at the start exited during the load: its time stays in the process's total.
    before = cpu_by_group(4242, _fake_proc(tmp_path / "before", 4242, {"C2 CompilerThre": (4 * tick, 0)}))
    assert spent(before, after) == {
        "bolt_workers": 40.0,
        "bolt_network": 2.0,
        "jit": 6.0,
        "gc": 1.0,
        "other": 8.0,
        "total": 57.0,
    }
