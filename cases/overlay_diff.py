"""`pack diff` for a learned overlay: what it re-weighs, and what that does to cases.

The structure part lists, against OLD (an earlier overlay, or the packs' own values for
'-'), each fault share, fix success rate and question time that moves, largest first.
The replay part works the golden cases and the stored cases with a known cause again at
Line 1 (cases.learn_replay), once with OLD and once with NEW, and says whether NEW does
better, the same, or worse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cases.learn_replay import Figures, golden_known, stored_known, verdict, work_again
from cases.store import SQLStore
from engine.weights import Weights, weights_from
from rules.knowledge import KnowledgeBase
from rules.overlay import Overlay, overlay_for

SHOWN = 15  # changes listed per kind (the JSON has them all)
NOTICED = 0.005  # a smaller move is left out


@dataclass
class OverlayDiff:
    old: str  # an overlay version, or 'packs'
    new: str
    shares: list[dict[str, Any]] = field(default_factory=list)
    fixes: list[dict[str, Any]] = field(default_factory=list)
    minutes: list[dict[str, Any]] = field(default_factory=list)
    replay: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "fault_shares": self.shares,
            "fix_success": self.fixes,
            "question_minutes": self.minutes,
            "replay": self.replay,
        }


def _shares(old: Overlay | None, new: Overlay) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for complaint, estimate in new.complaints.items():
        before_c = old.complaints.get(complaint) if old else None
        for fault, found in estimate.faults.items():
            before = found.prior
            if before_c is not None and fault in before_c.faults:
                before = before_c.faults[fault].learned
            if abs(found.learned - before) >= NOTICED:
                out.append(
                    {
                        "complaint": complaint,
                        "fault": fault,
                        "old": before,
                        "new": found.learned,
                        "cases": found.cases,
                        "of": estimate.cases,
                    }
                )
    return sorted(out, key=lambda d: (-abs(d["new"] - d["old"]), d["complaint"], d["fault"]))


def _fixes(old: Overlay | None, new: Overlay) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for fault, found in new.fixes.items():
        before = old.fixes[fault].learned if old and fault in old.fixes else found.prior
        if abs(found.learned - before) >= NOTICED:
            out.append(
                {
                    "fault": fault,
                    "old": before,
                    "new": found.learned,
                    "worked": found.worked,
                    "tried": found.tried,
                }
            )
    return sorted(out, key=lambda d: (d["new"], d["fault"]))


def _minutes(old: Overlay | None, new: Overlay) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for qid, found in new.questions.items():
        before = old.questions[qid].minutes if old and qid in old.questions else found.pack_minutes
        if abs(found.minutes - before) >= max(NOTICED, 0.05 * before):
            out.append({"question": qid, "old": before, "new": found.minutes, "asked": found.asked})
    return sorted(out, key=lambda d: (-abs(d["new"] - d["old"]), d["question"]))


def _figures(before: Figures, after: Figures) -> dict[str, Any]:
    return {"old": before.as_dict(), "new": after.as_dict(), "verdict": verdict(before, after)}


def diff_overlays(
    kb: KnowledgeBase, old: Path | None, new: Path, store: SQLStore | None = None
) -> OverlayDiff:
    """What NEW changes against OLD (None: the packs' own values), with the replays."""
    new_overlay = overlay_for(new, kb)
    old_overlay = overlay_for(old, kb) if old is not None else None
    new_weights = weights_from(new_overlay, kb)
    old_weights: Weights | None = weights_from(old_overlay, kb) if old_overlay else None
    found = OverlayDiff(
        old_overlay.version if old_overlay else "packs",
        new_overlay.version,
        _shares(old_overlay, new_overlay),
        _fixes(old_overlay, new_overlay),
        _minutes(old_overlay, new_overlay),
    )
    runs = {"golden": golden_known(kb)}
    if store is not None:
        runs["stored"] = stored_known(store, kb)
    for name, known in runs.items():
        before = work_again(kb, known, old_weights, new_weights)
        after = work_again(kb, known, new_weights, new_weights)
        found.replay[name] = _figures(before, after)
    return found
