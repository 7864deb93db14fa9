"""Reading FHIR R4 JSON as plain dicts: references, codings, extensions, identifiers, periods.

Resources stay the parsed JSON (no model classes): Plan-Net adds its data through extensions, and a few
tolerant accessors read them without failing on the shapes real servers send (a missing list, a string
where an object was expected). Every accessor returns a typed value or None/empty, never raises.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from network.validate import is_taxonomy_code

Resource = dict[str, Any]

PLANNET = "http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/"
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
NUCC_SYSTEM = "http://nucc.org/provider-taxonomy"


def items(resource: Resource, name: str) -> list[Any]:
    """A repeating element as a list (absent or malformed: empty)."""
    value = resource.get(name)
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, dict) else []


def text(resource: Resource, name: str) -> str | None:
    value = resource.get(name)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def reference(value: Any) -> str | None:
    """A Reference as ``Type/id`` (absolute URLs and ``_history`` suffixes cut); None without a reference.

    References that cannot name a resource by type and id (``#contained``, ``urn:uuid:...``) come back
    unchanged, so the caller reports them as unresolvable instead of ignoring them.
    """
    if not isinstance(value, dict):
        return None
    raw = value.get("reference")
    if not isinstance(raw, str) or not raw.strip():
        return None
    parts = raw.strip().split("/")
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    if len(parts) >= 2 and parts[-2] and parts[-1] and parts[-2][0].isupper():
        return f"{parts[-2]}/{parts[-1]}"
    return raw.strip()


def references(resource: Resource, name: str) -> list[str]:
    """Every reference of a repeating Reference element, in order, without duplicates."""
    out = [r for r in (reference(v) for v in items(resource, name)) if r is not None]
    return list(dict.fromkeys(out))


def extensions(element: Resource, name: str) -> Iterator[Resource]:
    """Extensions whose url ends with ``name`` (Plan-Net profiles, or a sub-extension's short url)."""
    for ext in items(element, "extension"):
        url = ext.get("url") if isinstance(ext, dict) else None
        if isinstance(url, str) and (url == name or url.endswith("/" + name)):
            yield ext


def codings(concept: Any) -> Iterator[tuple[str | None, str]]:
    """(system, code) of every coding of a CodeableConcept."""
    if not isinstance(concept, dict):
        return
    for coding in items(concept, "coding"):
        if isinstance(coding, dict) and isinstance(coding.get("code"), str) and coding["code"].strip():
            system = coding.get("system")
            yield (system if isinstance(system, str) else None), coding["code"].strip()


def concept_texts(concept: Any) -> Iterator[str]:
    """The human-readable parts of a CodeableConcept (text and coding displays), for keyword rules."""
    if not isinstance(concept, dict):
        return
    if isinstance(concept.get("text"), str):
        yield concept["text"]
    for coding in items(concept, "coding"):
        if isinstance(coding, dict) and isinstance(coding.get("display"), str):
            yield coding["display"]


def nucc_codes(concepts: list[Any]) -> tuple[list[str], list[str]]:
    """(valid NUCC codes in order without duplicates, malformed codes) of NUCC-coded concepts.

    A coding counts as NUCC when its system is the NUCC one, or when it has no system and its code
    has the taxonomy shape; other systems (SNOMED, local codes) are not specialties here.
    """
    good: list[str] = []
    bad: list[str] = []
    for concept in concepts:
        for system, code in codings(concept):
            if system == NUCC_SYSTEM:
                (good if is_taxonomy_code(code.upper()) else bad).append(code.upper())
            elif system is None and is_taxonomy_code(code.upper()):
                good.append(code.upper())
    return list(dict.fromkeys(good)), bad


def identifier(resource: Resource, system: str) -> str | None:
    for ident in items(resource, "identifier"):
        if isinstance(ident, dict) and ident.get("system") == system and isinstance(ident.get("value"), str):
            return str(ident["value"]).strip()
    return None


def fhir_date(value: Any) -> date | None:
    """The day of a FHIR date or dateTime (``2020``/``2020-07`` are too vague for contract dates)."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def period_bounds(period: Any) -> tuple[str | None, str | None, str | None]:
    """(effective, termination, problem) from a Period, as pnet's ISO dates.

    FHIR's ``Period.end`` is inclusive (the whole end day is in the period) while pnet's termination is
    the first day *not* in effect, hence the extra day.
    """
    if not isinstance(period, dict):
        return None, None, None
    start, end = fhir_date(period.get("start")), fhir_date(period.get("end"))
    if period.get("start") is not None and start is None:
        return None, None, f"period.start is not a full date: {period.get('start')!r}"
    if period.get("end") is not None and end is None:
        return None, None, f"period.end is not a full date: {period.get('end')!r}"
    if start is not None and end is not None and end < start:
        return None, None, "period.end is before period.start"
    termination = (end + timedelta(days=1)).isoformat() if end is not None else None
    return (start.isoformat() if start else None), termination, None
