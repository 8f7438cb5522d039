"""Mining escalations for what the knowledge lacks, and drafting the pack that would fill it.

A *gap case* is one a line could not place: it escalated because no rule applied,
the best fault stayed weak, the proposed fixes failed, or only a fallback rule
caught it; or it ended unresolved at Line 4. (Escalations a rule or a fault's line
asks for are designed, not gaps.) Gap cases are grouped by their *answer
signature* - the complaint plus every answer given on the line where they got
stuck - and the groups are ranked by size. For a group, `draft_pack` writes a
draft rule pack (status: draft) whose rule tests exactly the shared answers and
concludes a placeholder fault, and the group's cases as golden files that expect
it: the engineer names the fault, writes its fix, and publishes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cases.model import Case
from rules.knowledge import KnowledgeBase
from rules.paths import confined

GAP_KINDS = frozenset({"no_rule", "below_threshold", "fix_failed"})
Answer = tuple[str, Any]


@dataclass(frozen=True)
class GapCase:
    case_id: str
    line: int  # the line where it got stuck
    kind: str  # escalation kind, or 'unresolved'
    complaint: str
    signature: tuple[Answer, ...]  # answers given on that line (unknown ones left out)
    answers: dict[str, Any]  # every answer up to that line ('unknown' kept)
    intake: dict[str, Any]
    failed: tuple[str, ...] = ()  # faults whose proposed fix did not work


@dataclass
class Gap:
    """Gap cases that share a complaint and an answer signature."""

    rank: int
    line: int
    complaint: str
    signature: tuple[Answer, ...]
    cases: list[GapCase]
    of_complaint: int = 0  # every case with this complaint, for the prior

    @property
    def prior(self) -> float:
        """The group's share of the complaint's cases (at least 0.01)."""
        share = len(self.cases) / self.of_complaint if self.of_complaint else 0.05
        return round(min(max(share, 0.01), 1.0), 3)

    def failed_fixes(self) -> dict[str, int]:
        """Faults whose fix was proposed and did not work, with how many cases."""
        return dict(sorted(Counter(f for c in self.cases for f in c.failed).items()))

    @property
    def pack_id(self) -> str:
        return f"gap-{self._complaint_id.replace('_', '-')}-{self.rank}"

    @property
    def fault_id(self) -> str:
        return f"gap_{self._complaint_id}_{self.rank}"

    @property
    def _complaint_id(self) -> str:
        """The complaint as it may stand in an id (a stored complaint can be any text)."""
        return re.sub(r"[^a-z0-9]+", "_", self.complaint.lower(), flags=re.ASCII).strip("_")[:40]

    def as_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "line": self.line,
            "complaint": self.complaint,
            "size": len(self.cases),
            "shared": {q: v for q, v in self.signature},
            "kinds": dict(sorted(Counter(c.kind for c in self.cases).items())),
            "cases": [c.case_id for c in self.cases],
            "failed_fixes": self.failed_fixes(),
            "draft_pack": self.pack_id,
        }


def gap_case(case: Case) -> GapCase | None:
    """The case as a gap case, or None when it was resolved or escalated by design."""
    stuck: tuple[int, str] | None = None
    for event in case.events:
        if event.kind in ("escalated", "unresolved"):
            esc = event.data.get("handoff", {}).get("escalation", {})
            kind = str(esc.get("kind", ""))
            gap = kind in GAP_KINDS or (kind == "rule" and bool(esc.get("fallback")))
            if event.kind == "unresolved" or gap:
                stuck = (event.line, kind if event.kind == "escalated" else "unresolved")
                break
    if stuck is None or case.status == "resolved":
        return None
    line, kind = stuck
    answers: dict[str, Any] = {}
    on_line: dict[str, Any] = {}
    for event in case.events:
        if event.line > line:
            continue  # what higher lines asked is not known where the case got stuck
        if event.kind in ("answer", "unknown") and event.question:
            value = "unknown" if event.kind == "unknown" else event.value
            answers[event.question] = value
            if event.line == line:
                on_line[event.question] = value
        elif event.kind == "back" and event.question:
            answers.pop(event.question, None)
            on_line.pop(event.question, None)
    signature = tuple(sorted((q, v) for q, v in on_line.items() if v != "unknown"))
    complaint = str(case.intake.get("complaint", ""))
    failed = tuple(sorted({e.fault for e in case.events if e.kind == "fix_failed" and e.fault}))
    return GapCase(case.id, line, kind, complaint, signature, answers, dict(case.intake), failed)


def find_gaps(cases: Iterable[Case], min_size: int = 5) -> list[Gap]:
    """Groups of gap cases with the same line, complaint and signature, largest first."""
    groups: dict[tuple[Any, ...], list[GapCase]] = {}
    complaints: Counter[str] = Counter()
    for case in cases:
        complaints[str(case.intake.get("complaint", ""))] += 1
        gap = gap_case(case)
        if gap is not None and gap.signature:
            key = (gap.line, gap.complaint, tuple((q, repr(v)) for q, v in gap.signature))
            groups.setdefault(key, []).append(gap)
    ranked = sorted(
        (g for g in groups.values() if len(g) >= min_size),
        key=lambda g: (-len(g), g[0].line, g[0].complaint, g[0].signature.__repr__()),
    )
    return [
        Gap(
            rank,
            g[0].line,
            g[0].complaint,
            g[0].signature,
            sorted(g, key=lambda c: c.case_id),
            complaints[g[0].complaint],
        )
        for rank, g in enumerate(ranked, 1)
    ]


def _owners(kb: KnowledgeBase, gap: Gap) -> list[str]:
    owners = {kb.owner[q] for q, _ in gap.signature if q in kb.owner}
    owners |= {
        pid for pid, lp in kb.packs.items() if any(s.id == gap.complaint for s in lp.pack.symptoms)
    }
    return sorted(owners)


def draft_pack(gap: Gap, kb: KnowledgeBase) -> dict[str, Any]:
    """A draft pack (as data) concluding a placeholder fault on the shared answers."""
    conditions: list[dict[str, Any]] = [{"intake": "complaint", "equals": gap.complaint}]
    conditions += [{"question": q, "equals": v} for q, v in gap.signature]
    sample = ", ".join(c.case_id for c in gap.cases[:3])
    failed = gap.failed_fixes()
    rule_text = "The answers every case of the group shares."
    if failed:
        listing = ", ".join(f"{f} ({n} cases)" for f, n in failed.items())
        rule_text += (
            f" The fixes of {listing} were tried and did not work: if their rules fire on "
            "these answers too, add a question that tells the causes apart."
        )
    return {
        "id": gap.pack_id,
        "version": "0.1.0",
        "line": gap.line,
        "title": {"en": f"DRAFT: {gap.complaint}, unplaced cause #{gap.rank}"},
        "status": "draft",
        "requires": _owners(kb, gap),
        "description": {
            "en": f"Mined from {len(gap.cases)} escalated cases that share these answers "
            f"(e.g. {sample}). Name the fault, write its fix, then run "
            f"'linewise pack publish'."
        },
        "faults": [
            {
                "id": gap.fault_id,
                "title": {"en": f"TODO: name the cause behind {sample}"},
                "fix": [{"en": "TODO: the steps that fixed these cases"}],
                "line": gap.line,
                "prior": gap.prior,
            }
        ],
        "rules": [
            {
                "id": f"{gap.fault_id}_rule",
                "description": {"en": rule_text},
                "priority": 10,
                "when": {"all": conditions},
                "then": [{"conclude": gap.fault_id, "certainty": 0.8}],
            }
        ],
    }


def golden_case(gap: Gap, case: GapCase) -> dict[str, Any]:
    """One case of the group as a golden file expecting the placeholder fault."""
    intake = {
        k: case.intake[k] for k in ("service_form", "channel", "complaint") if k in case.intake
    }
    return {
        "id": case.case_id.lower(),
        "title": f"{case.case_id}: escalated from Line {case.line} ({case.kind})",
        "line": gap.line,
        "intake": intake,
        "answers": dict(sorted(case.answers.items())),
        "expect": {"fault": gap.fault_id},
        "notes": "TODO: confirm with the case history that this was the cause "
        f"(linewise case show {case.case_id}).",
    }


class _PackDumper(yaml.SafeDumper):
    """Writes booleans as yes/no, the way packs and answer files spell them."""


_PackDumper.add_representer(
    bool,
    lambda dumper, value: dumper.represent_scalar(
        "tag:yaml.org,2002:bool", "yes" if value else "no"
    ),
)


def dump_yaml(data: dict[str, Any], header: str) -> str:
    """YAML as packs and case files spell it (yes/no), in the given key order."""
    body = yaml.dump(data, Dumper=_PackDumper, sort_keys=False, allow_unicode=True, width=100)
    return header + body


def write_draft(gap: Gap, kb: KnowledgeBase, out: Path, max_cases: int = 20) -> list[Path]:
    """The draft pack and up to `max_cases` golden files, laid out as `pack publish` expects:
    `<out>/<pack id>.yaml` and `<out>/golden/<pack id>/<case>.yaml`."""
    out.mkdir(parents=True, exist_ok=True)
    pack_path = confined(out, f"{gap.pack_id}.yaml")
    header = (
        f"# Draft pack mined by 'linewise cases gaps' from {len(gap.cases)} cases.\n"
        "# Rename the fault, write its fix, complete the golden cases, then:\n"
        f"#   linewise pack validate rules/ {pack_path.name}\n"
        f"#   linewise pack publish {pack_path.name} --line {gap.line}\n"
    )
    pack_path.write_text(dump_yaml(draft_pack(gap, kb), header), encoding="utf-8")
    written = [pack_path]
    folder = confined(out, "golden", gap.pack_id)
    folder.mkdir(parents=True, exist_ok=True)
    for case in gap.cases[:max_cases]:
        path = confined(folder, f"{case.case_id.lower()}.yaml")
        path.write_text(
            dump_yaml(golden_case(gap, case), "# Golden case mined from a gap.\n"), encoding="utf-8"
        )
        written.append(path)
    return written
