"""The report's map: an inline SVG scatter in lon/lat (equirectangular, x scaled by cos of the mid latitude).

No tiles, no external script: the page works offline. Sample points are coloured by their share of the
audited types with access (or, with the selector, by access to one type); in-network provider locations
and recruitment targets are drawn over them. Large audits are thinned to a fixed number of marks, chosen
by a seeded generator so the same audit draws the same map.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable
from html import escape

import numpy as np

from network.adequacy.model import AdequacyReport

WIDTH = 980
MAX_POINTS = 15_000
MAX_PROVIDERS = 15_000
PAD = 24
MAX_LABELS = 80


def access_colour(share: float) -> str:
    """Red (no type reachable) through amber to green (every type reachable)."""
    stops = ((0.0, (215, 48, 39)), (0.5, (253, 174, 97)), (1.0, (26, 152, 80)))
    for (a, ca), (b, cb) in itertools.pairwise(stops):
        if share <= b:
            f = 0.0 if b == a else (share - a) / (b - a)
            r, g, bl = (round(x + (y - x) * f) for x, y in zip(ca, cb, strict=True))
            return f"#{r:02x}{g:02x}{bl:02x}"
    return "#1a9850"


def _thin(n: int, cap: int) -> np.ndarray:
    if n <= cap:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, size=cap, replace=False))


def render_map(report: AdequacyReport) -> str:
    amap = report.map
    if amap is None or not len(amap.lat):
        return '<p class="muted">No sample points: nothing to map.</p>'
    lats = np.concatenate([amap.lat, amap.provider_lat])
    lons = np.concatenate([amap.lon, amap.provider_lon])
    lat0 = float((lats.min() + lats.max()) / 2)
    kx = math.cos(math.radians(lat0))
    x_min, x_max = float(lons.min()) * kx, float(lons.max()) * kx
    y_min, y_max = float(lats.min()), float(lats.max())
    span = max(x_max - x_min, y_max - y_min, 1e-6)
    scale = (WIDTH - 2 * PAD) / max(x_max - x_min, span * 0.3)
    height = int(min(900, max(320, (y_max - y_min) * scale + 2 * PAD)))
    scale = min(scale, (height - 2 * PAD) / max(y_max - y_min, 1e-6))

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return PAD + (lon * kx - x_min) * scale, PAD + (y_max - lat) * scale

    failing = [t for t in amap.types if any(c.specialty_type == t and not c.passed for c in report.cells)]
    type_index = {t: i for i, t in enumerate(amap.types)}
    parts = [
        f'<svg id="map" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        'aria-label="Sample points coloured by access" data-type="all">',
        f'<rect width="{WIDTH}" height="{height}" fill="#f4f6f8"/>',
    ]
    shown = _thin(len(amap.lat), MAX_POINTS)
    share = amap.covered.mean(axis=1) if amap.covered.shape[1] else np.zeros(len(amap.lat))
    for i in shown:
        x, y = xy(float(amap.lat[i]), float(amap.lon[i]))
        parts.append(
            f'<circle class="s" cx="{x:.1f}" cy="{y:.1f}" r="2.6" fill="{access_colour(float(share[i]))}"/>'
        )
    for i in _thin(len(amap.provider_lat), MAX_PROVIDERS):
        x, y = xy(float(amap.provider_lat[i]), float(amap.provider_lon[i]))
        cls = f"p t{amap.provider_type[i]}"
        parts.append(f'<rect class="{cls}" x="{x - 1.8:.1f}" y="{y - 1.8:.1f}" width="3.6" height="3.6"/>')
    parts += _labels(report, xy)
    for gap in report.gaps:
        for t in gap.targets:
            x, y = xy(t.lat, t.lon)
            label = escape(
                f"{t.name or t.npi} ({t.npi}) - recruit for {gap.specialty_type} in {gap.county_fips}"
            )
            cls = f"r t{type_index.get(gap.specialty_type, -1)}"
            parts.append(f'<path class="{cls}" d="{_star(x, y)}"><title>{label}</title></path>')
    parts.append(_scale_bar(height, scale, kx))
    parts.append("</svg>")
    bits = {
        str(type_index[t]): "".join("1" if amap.covered[i, type_index[t]] else "0" for i in shown)
        for t in failing
    }
    return (
        _controls(failing, type_index, len(shown), len(amap.lat), amap.personal)
        + "".join(parts)
        + _script(bits, shown, share)
    )


def _labels(report: AdequacyReport, xy: Callable[[float, float], tuple[float, float]]) -> list[str]:
    """County names at the mean of their points, for orientation (skipped when there are too many)."""
    amap = report.map
    if amap is None or len(amap.county_names) > MAX_LABELS:
        return []
    out = []
    for name, (lat, lon) in amap.county_names.items():
        x, y = xy(lat, lon)
        out.append(f'<text class="lbl" x="{x:.1f}" y="{y:.1f}">{escape(name)}</text>')
    return out


def _star(x: float, y: float, r: float = 7.0) -> str:
    pts = []
    for k in range(10):
        radius = r if k % 2 == 0 else r * 0.45
        angle = math.pi / 2 + k * math.pi / 5
        pts.append(f"{x + radius * math.cos(angle):.1f},{y - radius * math.sin(angle):.1f}")
    return "M" + "L".join(pts) + "Z"


def _scale_bar(height: int, scale: float, kx: float) -> str:
    miles_per_px = 69.17 * kx / scale  # one degree of longitude at the mid latitude is 69.17 * cos miles
    target = miles_per_px * 150
    nice = next((m for m in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500) if m >= target * 0.6), 1000)
    px = nice / miles_per_px
    y = height - 12
    return (
        f'<g class="scale"><line x1="{PAD}" y1="{y}" x2="{PAD + px:.1f}" y2="{y}"/>'
        f'<text x="{PAD + px + 6:.1f}" y="{y + 4}">{nice} mi</text></g>'
    )


def _controls(failing: list[str], type_index: dict[str, int], shown: int, total: int, personal: bool) -> str:
    options = "".join(f'<option value="{type_index[t]}">{escape(t)}</option>' for t in failing)
    note = f"Showing {shown:,} of {total:,} sample points (a fixed random sample)." if shown < total else ""
    if personal:
        note += " Member points are drawn rounded to 0.01 degree (about 1 km)."
    return (
        '<div class="mapbar"><label>Colour points by <select id="maptype"><option value="all">'
        f"share of all audited types reachable</option>{options}</select></label>"
        '<span class="key"><i class="dot" style="background:#d73027"></i>no access '
        '<i class="dot" style="background:#fdae61"></i>some '
        '<i class="dot" style="background:#1a9850"></i>access '
        '<i class="sq"></i>in-network provider <i class="star">&#9733;</i>recruitment target</span>'
        f'<span class="muted">{escape(note)}</span></div>'
    )


def _script(bits: dict[str, str], shown: np.ndarray, share: np.ndarray) -> str:
    colours = [access_colour(float(share[i])) for i in shown]
    data = json.dumps({"bits": bits, "all": colours}, separators=(",", ":"))
    return (
        f'<script type="application/json" id="mapdata">{data}</script>'
        "<script>(function(){var d=JSON.parse(document.getElementById('mapdata').textContent);"
        "var svg=document.getElementById('map'),dots=svg.querySelectorAll('circle.s');"
        "document.getElementById('maptype').addEventListener('change',function(e){var v=e.target.value;"
        "svg.setAttribute('data-type',v);var b=d.bits[v];for(var i=0;i<dots.length;i++){"
        "dots[i].setAttribute('fill',v==='all'?d.all[i]:(b[i]==='1'?'#1a9850':'#d73027'));}"
        "var css=document.getElementById('mapcss');css.textContent=v==='all'?'':"
        "'#map .p:not(.t'+v+'),#map .r:not(.t'+v+'){display:none}';});})();</script>"
        '<style id="mapcss"></style>'
    )
