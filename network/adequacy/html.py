"""The HTML report: one self-contained page (inline CSS, SVG and a few lines of script; works offline).

Top to bottom: what was audited and the notices that qualify every number (time not evaluated), a
summary, a pass/fail heat map of counties x specialty types, the map, then each failing cell's gap and
recruitment targets.
"""

from __future__ import annotations

from functools import cache
from html import escape
from importlib import resources

from network.adequacy.model import AdequacyReport, CellResult, Gap
from network.adequacy.svgmap import render_map


@cache
def _css() -> str:
    return resources.files("network.adequacy").joinpath("report.css").read_text(encoding="utf-8")


def render_html(report: AdequacyReport) -> str:
    title = f"Network adequacy: {', '.join(report.network_ids)} as of {report.as_of}"
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="sub">{escape(_scope(report))}</p>',
        f'<div class="banner"><b>{escape(report.notices[0])}</b><br>{escape(report.notices[1])}</div>',
        _summary(report),
        "<h2>Pass / fail by county and specialty type</h2>",
        _legend(),
        _heat(report),
        "<h2>Map</h2>",
        render_map(report),
        "<h2>Gaps and recruitment targets</h2>",
        _gaps(report),
        "<h2>Notes</h2>",
        _notes(report),
    ]
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><style>{_css()}</style></head>'
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )


def _scope(r: AdequacyReport) -> str:
    area = f"state {r.state}" if r.state else "selected counties"
    year = f" contract year {r.contract_year}" if r.contract_year else ""
    plan = f"plan {r.plan_id}, " if r.plan_id else ""
    return (
        f"{plan}{area}: {len(r.counties)} counties x {len(r.specialty_types)} specialty types; standards "
        f"{r.regulation or r.standards}{year}; sample points: {r.points_source.replace('_', ' ')} "
        f"({r.points_used:,}); generated {r.generated_at}"
    )


def _summary(r: AdequacyReport) -> str:
    failing = [c for c in r.cells if not c.passed]
    counties_ok = sum(1 for f in r.counties if all(c.passed for c in r.cells if c.county_fips == f))
    cards = [
        (
            "good" if not failing else "bad",
            f"{len(r.cells) - len(failing):,} / {len(r.cells):,}",
            "cells passing",
        ),
        ("bad" if failing else "good", f"{len(failing):,}", "cells failing"),
        ("", f"{counties_ok} / {len(r.counties)}", "counties passing every type"),
        ("", f"{r.provider_locations:,}", "in-network provider locations"),
        ("", f"{sum(len(g.targets) for g in r.gaps):,}", "recruitment targets listed"),
    ]
    return (
        '<div class="cards">'
        + "".join(f'<div class="card {k}"><b>{escape(v)}</b>{escape(label)}</div>' for k, v, label in cards)
        + "</div>"
    )


def _legend() -> str:
    items = [
        ("pass", "passes"),
        ("fail", "fails access"),
        ("minfail", "access ok, too few providers"),
        ("none", "no sample points"),
    ]
    return (
        '<p class="legend">'
        + "".join(f'<span><i class="{c}"></i>{t}</span>' for c, t in items)
        + " Cell text: % of points with access (before telehealth credit).</p>"
    )


def _status(c: CellResult) -> str:
    if c.pct_with_access is None:
        return "none"
    if c.passed:
        return "pass"
    return "fail" if not c.access_pass else "minfail"


def _heat(r: AdequacyReport) -> str:
    by_cell = {(c.county_fips, c.specialty_type): c for c in r.cells}
    names = {c.county_fips: (c.county_name, c.designation) for c in r.cells}
    head = "".join(f'<th class="t">{escape(t)}</th>' for t in r.specialty_types)
    rows = []
    for fips in r.counties:
        name, designation = names.get(fips, (fips, ""))
        tds = []
        for t in r.specialty_types:
            c = by_cell.get((fips, t))
            if c is None:
                tds.append('<td class="c none"></td>')
                continue
            pct = "" if c.pct_with_access is None else f"{c.pct_with_access:.0f}"
            tip = _tip(c)
            tds.append(f'<td class="c {_status(c)}" title="{escape(tip)}">{pct}</td>')
        label = f'{escape(name)}<span class="badge">{escape(designation)}</span>'
        rows.append(f'<tr><th class="n">{label}</th>{"".join(tds)}</tr>')
    table = f'<table class="heat"><tr><th></th>{head}</tr>{"".join(rows)}</table>'
    return f'<div style="overflow-x:auto">{table}</div>'


def _tip(c: CellResult) -> str:
    pct = "n/a" if c.pct_with_access is None else f"{c.pct_with_access:.1f}%"
    credit = f" + {c.telehealth_credit_pct:g} telehealth" if c.telehealth_credit_pct else ""
    minimum = (
        "no minimum"
        if c.minimum_required is None
        else f"{c.providers_counted} of {c.minimum_required} providers"
    )
    return (
        f"{c.specialty_type} in {c.county_name}: {pct}{credit} within {c.max_distance_miles:g} mi "
        f"(threshold {c.threshold_pct:g}%); {minimum}"
    )


def _gaps(r: AdequacyReport) -> str:
    if not r.gaps:
        return '<p class="muted">Every evaluated cell passes.</p>'
    cells = {(c.county_fips, c.specialty_type): c for c in r.cells}
    ordered = sorted(r.gaps, key=lambda g: cells[(g.county_fips, g.specialty_type)].pct_with_access or 0.0)
    head = (
        "<tr><th>County</th><th>Type</th><th>With access</th><th>Points without</th>"
        "<th>Nearest in-network (mi)</th><th>Providers</th><th>Recruitment targets</th></tr>"
    )
    body = "".join(_gap_row(g, cells[(g.county_fips, g.specialty_type)]) for g in ordered)
    return f'<table class="gaps">{head}{body}</table>'


def _gap_row(g: Gap, c: CellResult) -> str:
    pct = "n/a" if c.pct_with_access is None else f"{c.pct_with_access:.1f}% / {c.threshold_pct:g}%"
    near = (
        "none in area"
        if g.nearest_miles_min is None
        else (f"{g.nearest_miles_min:.1f} - {g.nearest_miles_median:.1f} - {g.nearest_miles_max:.1f}")
    )
    minimum = "-" if c.minimum_required is None else f"{c.providers_counted} / {c.minimum_required}"
    targets = "".join(
        f"<li>{escape(t.name or t.npi)} <span class='muted'>NPI {escape(t.npi)}, +{t.adds:g} pts &rarr; "
        f"{t.pct_after:.1f}% ({escape(t.reason)})</span></li>"
        for t in g.targets
    )
    closes = " closes the access gap" if g.closes_access_gap and not c.access_pass else ""
    tlist = (
        f"<details><summary>{len(g.targets)} listed{closes}</summary><ol>{targets}</ol></details>"
        if targets
        else ('<span class="muted">no candidate outside the network</span>')
    )
    return (
        f"<tr><td>{escape(c.county_name)} <span class='muted'>{escape(c.county_fips)}</span></td>"
        f"<td>{escape(c.specialty_type)}</td><td class='num'>{pct}</td>"
        f"<td class='num'>{g.points_without_access:g}</td><td class='num'>{near}</td>"
        f"<td class='num'>{minimum}</td><td>{tlist}</td></tr>"
    )


def _notes(r: AdequacyReport) -> str:
    items = [f"<li>{escape(n)}</li>" for n in r.notices[2:]]
    items += [
        f"<li>County {escape(s.fips)} {escape(s.name)} not evaluated: {escape(s.reason)}</li>"
        for s in r.skipped_counties
    ]
    items += [
        f"<li>Sample points line {p.line}, {escape(p.field)}: {escape(p.reason)}</li>"
        for p in r.point_problems
    ]
    items.append(f"<li>Standards: {escape(r.standards)}.</li>")
    return f"<ul>{''.join(items)}</ul>"
