"""Network adequacy audits: CMS 42 CFR 422.116 time/distance and minimum-provider checks.

Layers, each usable alone: :mod:`~network.adequacy.standards` (the standards as data),
:mod:`~network.adequacy.points` (beneficiary sample points), :mod:`~network.adequacy.core` (the vectorised
audit on arrays), :mod:`~network.adequacy.gaps` and :mod:`~network.adequacy.targets` (gaps and recruitment
targets), :mod:`~network.adequacy.service` (the audit over a graph store) and
:mod:`~network.adequacy.writers` / :mod:`~network.adequacy.html` (CSV, JSON and HTML reports).
See ``docs/adequacy.md``.
"""

from __future__ import annotations

from network.adequacy.model import AdequacyReport, AdequacyRequest, CellResult, Gap, RecruitmentTarget
from network.adequacy.service import audit_adequacy

__all__ = ["AdequacyReport", "AdequacyRequest", "CellResult", "Gap", "RecruitmentTarget", "audit_adequacy"]
