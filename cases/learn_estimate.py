"""Bayesian estimates from the counted history (cases.learn), as a learned overlay.

Each estimate is shrunk towards the pack's own value by how much evidence there is
(docs/learning.md states the formulas):
- fault shares per complaint: a Dirichlet prior with mean the pack's priors (normalised
  over the faults of the packs that know the complaint) and FAULT_PSEUDO cases' weight,
  so the posterior mean is (n_f + A pi_f) / (N + A); per form of service (once it has
  MIN_FORM_CASES confirmed causes) the same, shrunk towards the complaint's estimate;
- fix success: a Beta prior with mean the confidence threshold (a fix is proposed only
  for a fault at least that certain) and FIX_PSEUDO tries' weight: (w + B s0) / (t + B);
- minutes per question: a mean shrunk towards the pack's cost with MINUTE_PSEUDO answers'
  weight: (sum of minutes + M cost) / (n + M).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import yaml

from cases.learn import History
from engine.diagnose import DEFAULT_THRESHOLD
from rules.knowledge import KnowledgeBase
from rules.overlay import (
    ComplaintEstimate,
    FaultEstimate,
    FixEstimate,
    LearnedFrom,
    Overlay,
    PseudoCounts,
    QuestionEstimate,
)
from rules.scope import packs_for

FAULT_PSEUDO = 20.0
FIX_PSEUDO = 10.0
MINUTE_PSEUDO = 5.0
MIN_FORM_CASES = 30
DIGITS = 4


def _candidates(kb: KnowledgeBase, complaint: str, seen: Iterable[str]) -> list[str]:
    """The faults of the packs that know the complaint, and any seen as its cause."""
    packs = packs_for([lp.pack for lp in kb.packs.values()], complaint)
    found = {f.id for pid in packs for f in kb.packs[pid].pack.faults}
    return sorted(found | {f for f in seen if f in kb.faults})


def dirichlet(
    counts: dict[str, int], prior: dict[str, float], pseudo: float
) -> dict[str, FaultEstimate]:
    """Posterior mean shares of a Dirichlet(pseudo x prior) after `counts`."""
    total = sum(counts.values())
    return {
        f: FaultEstimate(
            prior=round(p, DIGITS),
            learned=round((counts.get(f, 0) + pseudo * p) / (total + pseudo), DIGITS),
            cases=counts.get(f, 0),
        )
        for f, p in sorted(prior.items())
    }


def _complaint(kb: KnowledgeBase, complaint: str, history: History) -> ComplaintEstimate | None:
    by_form: dict[str, dict[str, int]] = {}
    for (c, form, fault), n in history.causes.items():
        if c == complaint and fault in kb.faults:
            by_form.setdefault(form, {})[fault] = by_form.get(form, {}).get(fault, 0) + n
    counts: dict[str, int] = {}
    for form_counts in by_form.values():
        for fault, n in form_counts.items():
            counts[fault] = counts.get(fault, 0) + n
    faults = _candidates(kb, complaint, counts)
    if not faults:
        return None
    mass = sum(kb.faults[f].likelihood for f in faults)
    prior = {f: kb.faults[f].likelihood / mass for f in faults}
    overall = dirichlet(counts, prior, FAULT_PSEUDO)
    forms: dict[str, ComplaintEstimate] = {}
    for form, form_counts in sorted(by_form.items()):
        if form and sum(form_counts.values()) >= MIN_FORM_CASES:
            shrunk_to = {f: e.learned for f, e in overall.items()}
            forms[form] = ComplaintEstimate(
                cases=sum(form_counts.values()),
                faults=dirichlet(form_counts, shrunk_to, FAULT_PSEUDO),
            )
    return ComplaintEstimate(cases=sum(counts.values()), faults=overall, service_forms=forms)


def estimate(
    kb: KnowledgeBase,
    history: History,
    *,
    version: str,
    store: str,
    since: date | None = None,
) -> Overlay:
    """The learned overlay for `kb` from the counted `history`."""
    complaints: dict[str, ComplaintEstimate] = {}
    for complaint in sorted({c for c, _, _ in history.causes}):
        if complaint in kb.symptoms:
            found = _complaint(kb, complaint, history)
            if found is not None and found.cases:
                complaints[complaint] = found
    fixes: dict[str, FixEstimate] = {}
    worked = history.worked()
    for fault in sorted(set(worked) | set(history.failed)):
        if fault not in kb.faults:
            continue
        good, tried = worked.get(fault, 0), worked.get(fault, 0) + history.failed.get(fault, 0)
        s0 = DEFAULT_THRESHOLD
        fixes[fault] = FixEstimate(
            tried=tried,
            worked=good,
            prior=s0,
            learned=round((good + FIX_PSEUDO * s0) / (tried + FIX_PSEUDO), DIGITS),
        )
    questions: dict[str, QuestionEstimate] = {}
    for qid, (n, total) in sorted(history.minutes.items()):
        if qid not in kb.questions:
            continue
        cost = float(kb.questions[qid].cost)
        shrunk = (total + MINUTE_PSEUDO * cost) / (n + MINUTE_PSEUDO)
        questions[qid] = QuestionEstimate(
            asked=n, pack_minutes=cost, minutes=round(max(shrunk, 0.01), DIGITS)
        )
    return Overlay(
        overlay=1,
        version=version,
        learned_from=LearnedFrom(
            store=store,
            since=since.isoformat() if since else None,
            cases=history.cases,
            first=history.first,
            last=history.last,
        ),
        pseudo_counts=PseudoCounts(faults=FAULT_PSEUDO, fixes=FIX_PSEUDO, minutes=MINUTE_PSEUDO),
        packs=dict(sorted(kb.versions().items())),
        complaints=complaints,
        fixes=fixes,
        questions=questions,
    )


HEADER = (
    "# A learned overlay written by `linewise learn` (docs/learning.md). Review it with\n"
    "# `linewise pack diff`, then `linewise pack publish` it: sessions use it only then.\n"
)


def overlay_text(overlay: Overlay) -> str:
    """The overlay as YAML, keys in a stable order (so two runs diff line by line)."""
    data: dict[str, Any] = overlay.model_dump(mode="json", exclude_defaults=False)
    return HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
