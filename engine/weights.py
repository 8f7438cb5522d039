"""Fault likelihoods, question costs and fix success learned from history (a published
learned overlay, rules.overlay), in the form the question policy reads them.

A session uses these only when the overlay is published (cases.registry): without it the
policy reads the packs' own priors and costs, exactly as before. The overlay's fault
shares are probabilities among a complaint's confirmed causes; the policy weighs a fault
against the others in its pack, against escalations and against "a cause the packs do
not know" on the packs' own scale. So each pack keeps the total prior mass its author
gave its faults, and the learned shares only redistribute it among them (docs/learning.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from engine.logic import FactValue
from rules.knowledge import INTAKE_PREFIX, KnowledgeBase
from rules.overlay import ComplaintEstimate, Overlay

COMPLAINT = INTAKE_PREFIX + "complaint"
SERVICE_FORM = INTAKE_PREFIX + "service_form"


@dataclass(frozen=True)
class Evidence:
    """What history says of one fault for one complaint: the cause in `cases` of `of`."""

    cases: int
    of: int
    learned: float  # the posterior share
    prior: float  # the pack's share


@dataclass(frozen=True)
class Weights:
    """One published overlay, keyed for the policy: (complaint, service form or '') ->
    fault -> likelihood on the pack's scale, with the evidence behind it."""

    version: str
    likelihoods: Mapping[tuple[str, str], Mapping[str, float]] = field(default_factory=dict)
    evidence: Mapping[tuple[str, str], Mapping[str, Evidence]] = field(default_factory=dict)
    costs: Mapping[str, float] = field(default_factory=dict)
    fixes: Mapping[str, float] = field(default_factory=dict)

    def _situation(self, facts: Mapping[str, FactValue]) -> list[tuple[str, str]]:
        complaint, form = facts.get(COMPLAINT), facts.get(SERVICE_FORM)
        if not isinstance(complaint, str):
            return []
        keys = [(complaint, form)] if isinstance(form, str) else []
        return [*keys, (complaint, "")]

    def likelihood(self, fault_id: str, facts: Mapping[str, FactValue], default: float) -> float:
        """The fault's learned likelihood for this case's complaint (and form of service,
        where history had enough of it), else the pack's `default`."""
        for key in self._situation(facts):
            found = self.likelihoods.get(key, {}).get(fault_id)
            if found is not None:
                return found
        return default

    def why(self, fault_id: str, facts: Mapping[str, FactValue]) -> Evidence | None:
        """The evidence behind the likelihood `likelihood` gives (None: the pack's own)."""
        for key in self._situation(facts):
            found = self.evidence.get(key, {}).get(fault_id)
            if found is not None:
                return found
        return None

    def cost(self, question_id: str, default: float) -> float:
        return self.costs.get(question_id, default)


def _scaled(kb: KnowledgeBase, estimate: ComplaintEstimate) -> dict[str, float]:
    """Learned shares rescaled so each pack keeps the prior mass its author gave."""
    by_pack: dict[str, list[str]] = {}
    for fault_id in estimate.faults:
        if fault_id in kb.faults:
            by_pack.setdefault(kb.fault_pack(fault_id), []).append(fault_id)
    out: dict[str, float] = {}
    for faults in by_pack.values():
        mass = sum(kb.faults[f].likelihood for f in faults)
        learned = sum(estimate.faults[f].learned for f in faults)
        if learned <= 0:
            continue
        for fault_id in faults:
            out[fault_id] = estimate.faults[fault_id].learned / learned * mass
    return out


def _evidence(estimate: ComplaintEstimate) -> dict[str, Evidence]:
    return {
        f: Evidence(e.cases, estimate.cases, e.learned, e.prior) for f, e in estimate.faults.items()
    }


def weights_from(overlay: Overlay, kb: KnowledgeBase) -> Weights:
    """The policy's view of an overlay, for the packs of `kb` (ids it does not know are
    left out: the overlay was validated against the published packs)."""
    likelihoods: dict[tuple[str, str], Mapping[str, float]] = {}
    evidence: dict[tuple[str, str], Mapping[str, Evidence]] = {}
    for complaint, estimate in sorted(overlay.complaints.items()):
        likelihoods[(complaint, "")] = _scaled(kb, estimate)
        evidence[(complaint, "")] = _evidence(estimate)
        for form, by_form in sorted(estimate.service_forms.items()):
            likelihoods[(complaint, form)] = _scaled(kb, by_form)
            evidence[(complaint, form)] = _evidence(by_form)
    costs = {q: e.minutes for q, e in overlay.questions.items() if q in kb.questions}
    fixes = {f: e.learned for f, e in overlay.fixes.items() if f in kb.faults}
    return Weights(overlay.version, likelihoods, evidence, costs, fixes)
