"""Property tests: malformed NPPES files never crash the loader and every row is accounted for."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.nppes_rows import header, person

from loaders.nppes import NppesLoader
from loaders.pipeline import LoadOptions, run_load
from network.geo import in_us
from network.model import Label, Location, Practitioner
from network.store.memory import MemoryStore
from network.validate import npi_problem

COLS = header()
VALID = [person().get(c, "") for c in COLS]

# Any text a CSV field can hold once encoded: controls, NUL, quotes, line breaks, other scripts' digits.
garbage = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
plausible = st.sampled_from(["", " ", "Y", "N", "X", "1", "2", "CT", "ZZ", "6101", "123456789", "03/16/2006"])


@st.composite
def mutated_row(draw: st.DrawFn) -> list[str]:
    """A valid row with some fields replaced, then possibly cut short or given extra fields."""
    row = list(VALID)
    for i in draw(st.lists(st.integers(0, len(row) - 1), max_size=8)):
        row[i] = draw(st.one_of(garbage, plausible))
    shape = draw(st.sampled_from(["same", "same", "same", "short", "long"]))
    if shape == "short":
        row = row[: draw(st.integers(0, len(row) - 1))]
    elif shape == "long":
        row += draw(st.lists(garbage, min_size=1, max_size=3))
    return row


rows = st.lists(st.one_of(mutated_row(), st.lists(garbage, max_size=6)), max_size=25)
states = st.one_of(st.none(), st.just(frozenset({"CT"})), st.just(frozenset({"GU"})))


def _load(body: bytes, state_filter: frozenset[str] | None) -> tuple[int, MemoryStore]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "npidata.csv"
        path.write_bytes(body)
        store = MemoryStore()
        report = run_load(NppesLoader(states=state_filter), [path], store, LoadOptions())
    written = report.created + report.updated + report.unchanged
    assert report.read == written + report.rejected + report.skipped, report.as_dict()
    return report.read, store


def _csv(data: list[list[str]]) -> bytes:
    with tempfile.TemporaryFile("w+", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(COLS)
        out.writerows(data)
        fh.seek(0)
        return fh.read().encode("utf-8")


def _sound(store: MemoryStore) -> None:
    """What gets in is valid: checked NPIs, coordinates only from the ZIP table (inside the US)."""
    for rec in store.get_many(Label.PRACTITIONER, store.keys(Label.PRACTITIONER, limit=100)).values():
        assert isinstance(rec, Practitioner) and npi_problem(rec.npi) is None
    for loc in store.get_many(Label.LOCATION, store.keys(Label.LOCATION, limit=100)).values():
        assert isinstance(loc, Location)
        assert loc.lat is None or loc.lon is None or in_us(loc.lat, loc.lon)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=rows, state_filter=states)
def test_malformed_rows_are_all_accounted(data: list[list[str]], state_filter: frozenset[str] | None) -> None:
    read, store = _load(_csv(data), state_filter)
    assert read == sum(1 for row in data if row)  # csv writes an empty row as a blank line: no row
    _sound(store)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=rows, junk=st.lists(st.binary(max_size=40), max_size=4), state_filter=states)
def test_garbage_bytes_never_crash(
    data: list[list[str]], junk: list[bytes], state_filter: frozenset[str] | None
) -> None:
    body = _csv(data)
    for chunk in junk:  # raw bytes between rows: invalid UTF-8, stray quotes, NULs, bare CRs
        body += chunk + b"\n"
    _, store = _load(body, state_filter)
    _sound(store)
