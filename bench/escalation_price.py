"""Does priced escalation make Line 1 give up early (premium soonest)? (issue 13 item 4)

Simulates the same seeded history (cases/simulate.py, the real Desk and Session; the same
customers, causes and answers each time) under three service levels, given as a
$LINEWISE_SLA file merged onto the shipped ones:

- `shipped`: as shipped (premium has the cheapest escalation and the smallest budgets);
- `all_premium`: every form gets premium's budgets and escalation costs, so any early
  escalation that premium's pricing causes shows up on every case;
- `priced_out`: escalation so dear (`escalation_cost` 1e9) that a question is always
  worth asking: what Line 1 would resolve if escalating were never priced in.

For the cases whose true cause is a fault Line 1 can fix, per form of service: how many
Line 1 resolved and why it escalated the others (the escalation kind; a session that
finds no question worth its price escalates by the complaint's fallback rule, kind
`rule`, or with "not worth their cost" in the reason).
Run: python -m bench.escalation_price [COUNT] [SEED].
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from cases import cache
from cases.golden import golden_files
from cases.simulate import Batch, simulate_batch
from cases.sla import load_service_levels
from rules.intake import SERVICE_FORMS

NOT_WORTH = "not worth their cost"
PRICED_OUT = 1e9


def run(count: int, seed: int, *, cheap: float | None = None) -> dict[str, Any]:
    """The three variants (and, with `cheap`, escalation at that many minutes everywhere:
    the measure's own check that an early escalation would show)."""
    files = cache.resolve_files(None)
    golden = tuple(str(p) for p in golden_files())
    batch = Batch(0, count, count, seed, 90, files, golden)
    kb = cache.knowledge(files)
    out: dict[str, Any] = {}
    premium = load_service_levels().forms["premium"]
    variants: dict[str, dict[str, Any] | None] = {
        "shipped": None,
        "all_premium": {
            f: {
                "minutes": premium.minutes,
                "questions": premium.questions,
                "escalation_cost": premium.escalation_cost,
            }
            for f in SERVICE_FORMS
        },
        "priced_out": {
            f: {"escalation_cost": {line: PRICED_OUT for line in (1, 2, 3)}} for f in SERVICE_FORMS
        },
    }
    if cheap is not None:
        variants["cheap"] = {
            f: {"escalation_cost": {line: cheap for line in (1, 2, 3)}} for f in SERVICE_FORMS
        }
    for name, override in variants.items():
        previous = os.environ.get("LINEWISE_SLA")
        with tempfile.TemporaryDirectory() as tmp:
            if override is not None:
                sla = Path(tmp) / "sla.json"
                sla.write_text(json.dumps({"forms": override}), encoding="utf-8")
                os.environ["LINEWISE_SLA"] = str(sla)
            started = time.perf_counter()
            cases = simulate_batch(batch)
            seconds = time.perf_counter() - started
        if previous is None:
            os.environ.pop("LINEWISE_SLA", None)
        else:
            os.environ["LINEWISE_SLA"] = previous
        forms: dict[str, Counter[str]] = {f: Counter() for f in SERVICE_FORMS}
        out.setdefault("machine_load", os.getloadavg()[0])
        for case in cases:
            tally = forms[str(case.intake.get("service_form"))]
            line1_fault = case.cause in kb.faults and kb.faults[case.cause].line == 1
            tally["cases"] += 1
            at_line1 = [e for e in case.events if e.line == 1]
            resolved = any(e.kind == "fix_worked" for e in at_line1)
            tally["resolved_at_line1"] += resolved
            if not line1_fault:
                continue
            tally["line1_fault_cases"] += 1
            tally["line1_fault_resolved_at_line1"] += resolved
            up = [e for e in at_line1 if e.kind == "escalated"]
            if any(NOT_WORTH in (e.reason or "") for e in up):
                tally["line1_fault_escalated_not_worth"] += 1
            for e in up:
                tally[f"line1_fault_escalated_{_kind(e.data)}"] += 1
            tally["line1_questions"] += sum(1 for e in at_line1 if e.kind in ("answer", "unknown"))
        out[name] = {
            "seconds": round(seconds, 1),
            "forms": {f: dict(sorted(c.items())) for f, c in forms.items()},
            "line1_resolution": _share(
                sum(c["resolved_at_line1"] for c in forms.values()),
                sum(c["cases"] for c in forms.values()),
            ),
            "line1_fault_resolution": _share(
                sum(c["line1_fault_resolved_at_line1"] for c in forms.values()),
                sum(c["line1_fault_cases"] for c in forms.values()),
            ),
        }
    return {"count": count, "seed": seed, **out}


def _kind(data: dict[str, Any]) -> str:
    handoff = data.get("handoff") or {}
    escalation = handoff.get("escalation") or {}
    return str(escalation.get("kind") or handoff.get("kind") or "unknown")


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    print(json.dumps(run(count, seed), indent=2))
