"""A seeded generator of procedural knowledge: troubleshooting flowcharts written as packs.

A flowchart is a DAG of steps in levels. A step is a yes/no question or a numbered menu
(options 1, 2, 3 with scores); each answer leads to a step on the next level, or ends
the path with a fault or an escalation. Steps are shared: several answers lead to the
same step, so shared sub-flows are walked from many places (hundreds of steps, thousands
of paths). A *score block* is a menu whose every answer leads to a second menu, after
which a computed score (the sum of both menus' scores) is compared with a threshold to
pick the branch, as a flowchart's computation box does.

The pack says it the way an engineer porting the chart would:

* a derived fact `at_<step>` per step ("the path reached this step"), derived from each
  answer that leads there, so a shared step is reached from any of its parents;
* one rule per answer that ends a path, concluding its fault (or escalating);
* score blocks as a rule with an expression over the two menus' scores;
* `next:` links on the answers (the chart's own order), which the policy follows, and
  which `strip_procedure` removes to measure the policy without any declared order.

`Flowchart.paths()` enumerates every path with the chart's own answer, and
`Flowchart.world(path, rng)` fills the questions off the path, so a guided session can
be answered whatever it asks. The same seed gives the same chart, byte for byte.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

SYMPTOM = "device_faulty"
MENU = (1, 2, 3)
THRESHOLD = 7  # a score block's branch: score(first) + score(second) >= THRESHOLD


@dataclass
class Step:
    """One question of the chart, and where each answer leads ('->id', 'fault:x', 'escalate')."""

    id: str
    kind: str  # yesno | menu
    level: int
    leads: dict[str, str] = field(default_factory=dict)  # answer -> target
    scores: dict[str, int] = field(default_factory=dict)  # menu answer -> score
    block: tuple[str, str, str] | None = None  # second menu: (first menu, high, low) targets


@dataclass(frozen=True)
class Path:
    """One way through the chart: the answers given and the chart's own answer."""

    answers: tuple[tuple[str, Any], ...]
    outcome: str  # 'fault <id>' or 'escalate'


@dataclass
class Flowchart:
    steps: dict[str, Step]
    root: str
    faults: list[str]

    def paths(self) -> Iterator[Path]:
        """Every path from the root, depth first, in a stable order."""
        yield from self._walk(self.root, ())

    def _walk(self, step_id: str, answers: tuple[tuple[str, Any], ...]) -> Iterator[Path]:
        step = self.steps[step_id]
        for answer, target in step.leads.items():
            value: Any = (answer == "yes") if step.kind == "yesno" else int(answer)
            taken = (*answers, (step.id, value))
            if step.block is not None:
                first, high, low = step.block
                first_answer = next(str(v) for q, v in taken if q == first)
                total = self.steps[first].scores[first_answer] + step.scores[answer]
                target = high if total >= THRESHOLD else low
            if target.startswith("->"):
                yield from self._walk(target[2:], taken)
            else:
                yield Path(taken, target.replace(":", " "))

    def world(self, path: Path, rng: random.Random) -> dict[str, Any]:
        """The path's answers, and an answer to every other question (off the path, so
        they never change where the chart leads)."""
        answers: dict[str, Any] = {}
        for step in self.steps.values():
            answers[step.id] = rng.random() < 0.5 if step.kind == "yesno" else rng.choice(MENU)
        answers.update(dict(path.answers))
        return answers


def chart(seed: int = 16, levels: int = 8, width: int = 24, faults: int = 30) -> Flowchart:
    """A random flowchart: `levels` levels of `width` steps (fewer near the root)."""
    rng = random.Random(f"flowchart-{seed}-{levels}-{width}-{faults}")
    fault_ids = [f"fc_fault_{i:02d}" for i in range(faults)]
    by_level: list[list[Step]] = []
    for level in range(levels):
        count = min(width, 2 ** (level + 1) - 1) if level else 1
        row = []
        for i in range(count):
            kind = "yesno" if rng.random() < 0.55 else "menu"
            row.append(Step(f"fc_s{level:02d}_{i:02d}", kind, level))
        by_level.append(row)
    for level, row in enumerate(by_level):
        below = by_level[level + 1] if level + 1 < levels else []
        reserved: dict[str, Step] = {}  # second menu id -> its block's first menu
        for step in row:
            answers = ["yes", "no"] if step.kind == "yesno" else [str(n) for n in MENU]
            if step.kind == "menu":
                step.scores = {a: rng.choice((1, 2, 3, 4, 5)) for a in answers}
            if step.kind == "menu" and step.block is None and rng.random() < 0.35:
                second = _free_menu(rng, below, reserved)
                if second is not None:
                    reserved[second.id] = step
                    step.leads = {a: "->" + second.id for a in answers}
        free = [s for s in below if s.id not in reserved]
        for step in row:
            if step.block is not None:  # a second menu: its score picks the branch
                step.leads = {str(n): "(score)" for n in MENU}
                high = _target(rng, free, fault_ids, level, levels)
                low = _target(rng, free, fault_ids, level, levels)
                step.block = (step.block[0], high, low)
            elif not step.leads:
                for answer in ["yes", "no"] if step.kind == "yesno" else [str(n) for n in MENU]:
                    step.leads[answer] = _target(rng, free, fault_ids, level, levels)
        for second_id, first in reserved.items():  # its branches: on the next level's turn
            next(s for s in below if s.id == second_id).block = (first.id, "", "")
    steps = {s.id: s for row in by_level for s in row}
    _prune(steps, by_level[0][0].id)
    return Flowchart(steps, by_level[0][0].id, fault_ids)


def _free_menu(rng: random.Random, below: list[Step], reserved: dict[str, Step]) -> Step | None:
    menus = [s for s in below if s.kind == "menu" and s.id not in reserved]
    return rng.choice(menus) if menus else None


def _target(
    rng: random.Random, below: list[Step], faults: list[str], level: int, levels: int
) -> str:
    ends = 0.05 + 0.5 * (level / max(1, levels - 1)) ** 2
    if not below or rng.random() < ends:
        return "escalate" if rng.random() < 0.08 else "fault:" + rng.choice(faults)
    return "->" + rng.choice(below).id


def _prune(steps: dict[str, Step], root: str) -> None:
    """Keep only the steps the root leads to."""
    seen: set[str] = set()
    todo = [root]
    while todo:
        current = steps[todo.pop()]
        if current.id in seen:
            continue
        seen.add(current.id)
        targets = list(current.leads.values())
        if current.block is not None:
            targets = [current.block[1], current.block[2]]
        todo.extend(t[2:] for t in targets if t.startswith("->"))
    for step_id in [s for s in steps if s not in seen]:
        del steps[step_id]


# ---- the chart as a pack ---------------------------------------------------------------------


def _reached(step_id: str) -> str:
    return "at_" + step_id


def _arrive(step: Step, answer: str) -> dict[str, Any]:
    """The condition 'the path reached `step` and answered `answer` there'."""
    reached = {"fact": _reached(step.id), "equals": True}
    value: Any = (answer == "yes") if step.kind == "yesno" else answer
    return {"all": [reached, {"question": step.id, "equals": value}]}


def _ending(target: str, reason: str) -> list[dict[str, Any]]:
    if target == "escalate":
        return [{"escalate": 2, "reason": reason}]
    return [{"conclude": target.split(":", 1)[1], "certainty": 0.9}]


def to_pack(flow: Flowchart, *, name: str = "flowchart", procedure: bool = True) -> dict[str, Any]:
    """The chart as a pack mapping; `procedure`: with the chart's order as `next:` links."""
    questions: list[dict[str, Any]] = []
    facts: list[dict[str, Any]] = []
    rules: list[dict[str, Any]] = [
        {
            "id": "start",
            "when": {"intake": "complaint", "equals": SYMPTOM},
            "then": [{"derive": _reached(flow.root), "value": True}],
        }
    ]
    for step in flow.steps.values():
        question: dict[str, Any] = {"id": step.id, "text": f"Check {step.id}?", "type": "yesno"}
        if step.kind == "menu":
            question["type"] = "choice"
            question["options"] = [
                {"value": n, "text": f"Reading {n}", "score": step.scores[str(n)]} for n in MENU
            ]
        nexts: dict[str, Any] = {a: t[2:] for a, t in step.leads.items() if t.startswith("->")}
        if step.block is not None:  # the computed branch: whichever of the two still matters
            branches = [t[2:] for t in step.block[1:] if t.startswith("->")]
            nexts = {a: branches for a in step.leads} if branches else {}
        if procedure and nexts:
            question["next"] = nexts
        if procedure and step.id == flow.root:
            question["order"] = 1  # the chart's first step
        questions.append(question)
        facts.append({"id": _reached(step.id), "text": f"Reached {step.id}", "type": "yesno"})
        rules.extend(_step_rules(flow, step))
    return {
        "id": name,
        "version": "1.0.0",
        "line": 1,
        "title": "Generated troubleshooting flowchart",
        "status": "published",
        "symptoms": [{"id": SYMPTOM, "title": "The device is faulty"}],
        "questions": questions,
        "facts": facts,
        "faults": [
            {"id": f, "title": f"Fault {f}", "fix": [f"Repair {f}."], "line": 1}
            for f in flow.faults
        ],
        "rules": rules,
    }


def _step_rules(flow: Flowchart, step: Step) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    if step.block is not None:
        first, high, low = step.block
        total = f"score({first}) + score({step.id})"
        for label, target, test in (("high", high, ">="), ("low", low, "<")):
            when = {
                "all": [
                    {"fact": _reached(step.id), "equals": True},
                    {"expr": f"{total} {test} {THRESHOLD}"},
                ]
            }
            rules.append(_lead(f"{step.id}_{label}", when, target))
        return rules
    for answer, target in step.leads.items():
        rules.append(_lead(f"{step.id}_{answer}", _arrive(step, answer), target))
    return rules


def _lead(rule_id: str, when: dict[str, Any], target: str) -> dict[str, Any]:
    if target.startswith("->"):
        then = [{"derive": _reached(target[2:]), "value": True}]
    else:
        then = _ending(target, f"The flowchart escalates at {rule_id}")
    return {"id": rule_id, "when": when, "then": then}


def strip_procedure(pack: dict[str, Any]) -> dict[str, Any]:
    """The same pack without any declared order: no `next:`, `order` or `after`."""
    bare = copy.deepcopy(pack)
    for question in bare.get("questions", []):
        for key in ("next", "order", "after"):
            question.pop(key, None)
        for option in question.get("options") or []:
            option.pop("next", None)
    return bare


def stats(flow: Flowchart) -> dict[str, int]:
    """How big the chart is: steps, shared steps (several parents), score blocks, paths."""
    parents: dict[str, int] = {}
    for step in flow.steps.values():
        targets = step.leads.values() if step.block is None else step.block[1:]
        for target in set(targets):
            if target.startswith("->"):
                parents[target[2:]] = parents.get(target[2:], 0) + 1
    return {
        "steps": len(flow.steps),
        "shared_steps": sum(1 for n in parents.values() if n > 1),
        "score_blocks": sum(1 for s in flow.steps.values() if s.block is not None),
        "menus": sum(1 for s in flow.steps.values() if s.kind == "menu"),
        "paths": sum(1 for _ in flow.paths()),
    }


def sample(flow: Flowchart, count: int, seed: int = 16) -> list[Path]:
    """A seeded sample of `count` paths (all of them when there are fewer)."""
    every = list(flow.paths())
    if len(every) <= count:
        return every
    return random.Random(seed).sample(every, count)


__all__ = ["Flowchart", "Path", "Step", "chart", "sample", "stats", "strip_procedure", "to_pack"]
