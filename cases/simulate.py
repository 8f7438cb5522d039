"""A seeded simulator of a plausible support history, worked by the real guided session.

Each simulated customer has a true cause: a known fault of the packs (drawn by its
prior, its answers taken from the fault's golden case) or, for about one case in
ten, a cause the packs do not know (a fixed answer signature per hidden cause,
so that `linewise cases gaps` has something real to find). The case is opened at
Line 1 on the real `Desk` and `Session`, so the questions asked, the fixes proposed
and the escalations are exactly what the product would do. Customers sometimes
answer wrongly or cannot tell, some fixes do not work, some agents give up, and
Line 4 cases wait on the vendor (the SLA clock pauses).

Everything depends only on the seed and the case number, so any number of worker
processes gives the same history.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cases import cache
from cases.causes import Cause, causes, drift_factor, random_value
from cases.desk import Desk, LiveCase
from cases.memstore import MemoryStore
from cases.model import Event, status_after
from cases.pool import run_all
from cases.sla import load_service_levels
from engine.facts import parse_answer
from engine.logic import UNKNOWN, FactValue
from engine.session import Ask, Conclude, Escalate, ProposeFix
from engine.weights import weights_from
from rules.errors import LinewiseError
from rules.intake import CHANNELS, SERVICE_FORMS
from rules.knowledge import KnowledgeBase
from rules.overlay import overlay_for
from rules.schema import Question

START = datetime(2026, 1, 5, 8, 0)  # a Monday
P_WRONG = 0.03  # a customer gives a wrong answer
P_CANNOT_TELL = 0.03
P_FIX_FAILS = 0.07  # the right fix does not work anyway
P_ABANDON = 0.015
P_PROFILE_ONLY = 0.8  # a question beyond the cause's golden answers: 'cannot tell'
FORM_WEIGHTS = {"warranty": 0.3, "paid": 0.35, "premium": 0.15, "self_service": 0.2}
CHANNEL_WEIGHTS = {"phone": 0.35, "email": 0.2, "chat": 0.25, "remote": 0.1, "on_site": 0.1}
FIRST_RESPONSE_MINUTES = {"phone": 4, "chat": 6, "remote": 30, "on_site": 120, "email": 150}
QUEUE_MINUTES = {2: 150, 3: 600, 4: 300}  # mean wait for the next line to pick a case up
VENDOR_WAIT_MINUTES = 2 * 24 * 60
MAX_STEPS = 200
FIRST = ("Anna", "Boris", "Chen", "Dana", "Emil", "Farida", "Gleb", "Hana", "Ivan", "Julia")
LAST = ("Petrova", "Ivanov", "Smith", "Kowalski", "Novak", "Garcia", "Sato", "Okafor")
SITES = ("HQ", "Warehouse", "Branch North", "Branch South", "Home office")


@dataclass(frozen=True)
class SimulatedCase:
    """One simulated case, ready for `import_cases`, with its true cause for checking."""

    intake: dict[str, Any]
    events: list[Event]
    cause: str


class SimClock:
    """Simulated time: the desk stamps events with it; the simulator moves it on."""

    def __init__(self, start: datetime) -> None:
        self.time = start

    def now(self) -> str:
        return self.time.isoformat(timespec="seconds") + "+00:00"

    def advance(self, minutes: float) -> None:
        self.time += timedelta(minutes=max(minutes, 0.0))


@dataclass
class _Customer:
    cause: Cause
    rng: random.Random
    kb: KnowledgeBase
    truth: dict[str, Any]
    drift: float = 0.0
    seed: int = 0

    def minutes(self, question: Question) -> float:
        """The question's true mean minutes: the pack's cost, drifted like the faults."""
        return float(question.cost) * drift_factor(self.seed, self.drift, "question:" + question.id)

    def respond(self, question: Question) -> Any:
        if self.rng.random() < P_CANNOT_TELL:
            return "unknown"
        if question.id not in self.truth:
            # a known cause's golden case answers every question that leads to it; others
            # the customer cannot judge. A hidden cause answers the rest as it comes.
            known = self.cause.known and self.rng.random() < P_PROFILE_ONLY
            self.truth[question.id] = "unknown" if known else random_value(question, self.rng)
        value = self.truth[question.id]
        if self.rng.random() < P_WRONG:
            return self._other(question, value)
        return value

    def _other(self, question: Question, value: Any) -> Any:
        canonical: FactValue = parse_answer(self.kb, question.id, value)
        for _ in range(5):
            other = random_value(question, self.rng)
            if canonical is UNKNOWN or parse_answer(self.kb, question.id, other) != canonical:
                return other
        return value


def _intake(cause: Cause, rng: random.Random) -> dict[str, Any]:
    form = rng.choices(SERVICE_FORMS, [FORM_WEIGHTS[f] for f in SERVICE_FORMS])[0]
    channel = rng.choices(CHANNELS, [CHANNEL_WEIGHTS[c] for c in CHANNELS])[0]
    return {
        "customer": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "location": f"{rng.choice(SITES)}, room {rng.randint(100, 520)}",
        "equipment_serial": f"ASSET-{rng.randint(1000, 99999):05d}",
        "service_form": form,
        "channel": channel,
        "complaint": cause.complaint,
    }


def _opened_at(index: int, count: int, days: int, rng: random.Random) -> datetime:
    """Spread over working days and hours, in case-number order."""
    day = int(index * days / max(count, 1))
    date = START + timedelta(days=day)
    if date.weekday() >= 5:
        date += timedelta(days=7 - date.weekday())
    return date + timedelta(minutes=rng.uniform(0, 9.5 * 60))


def work_case(
    desk: Desk,
    clock: SimClock,
    cause: Cause,
    rng: random.Random,
    *,
    drift: float = 0.0,
    seed: int = 0,
) -> str:
    """Work one case from intake to its end (or to a line without packs); its id."""
    customer = _Customer(cause, rng, desk.kb, dict(cause.answers), drift, seed)
    intake = _intake(cause, rng)
    channel = intake["channel"]
    opened = clock.now()
    clock.advance(rng.expovariate(1 / FIRST_RESPONSE_MINUTES[channel]))
    live = desk.open(intake)  # Line 1 picks the case up now; it came in at `opened`
    case_id = live.case_id
    if isinstance(desk.store, MemoryStore):
        desk.store.backdate(case_id, opened)
    clock.advance(rng.uniform(0.5, 2))
    for _ in range(MAX_STEPS):
        step = live.session.step()
        if isinstance(step, Ask):
            if rng.random() < P_ABANDON / 4:
                live.quit("the customer hung up")
                return case_id
            value = customer.respond(step.question)
            # the check takes its real time before the answer is recorded
            clock.advance(customer.minutes(step.question) * rng.lognormvariate(0, 0.35))
            live.answer(step.question.id, value)
        elif isinstance(step, ProposeFix):
            live.propose(step.fault.id, step.fault.certainty)
            clock.advance(rng.uniform(5, 20))
            worked = step.fault.id == cause.id and rng.random() >= P_FIX_FAILS
            live.fix(step.fault.id, worked)
            if worked:
                return case_id
        elif isinstance(step, Conclude):
            live.conclude(step.fault.id)
            return case_id
        elif isinstance(step, Escalate):
            live.escalate(step)
            if step.final or step.escalation.to_line <= live.line:
                return case_id
            next_live = _next_line(desk, clock, live, step, rng)
            if next_live is None:
                return case_id
            live = next_live
        else:
            return case_id
    live.quit("the simulation stopped a case that would not end")
    return case_id


def _next_line(
    desk: Desk, clock: SimClock, live: LiveCase, step: Escalate, rng: random.Random
) -> LiveCase | None:
    line = step.escalation.to_line
    clock.advance(rng.expovariate(1 / QUEUE_MINUTES.get(line, 300)))
    try:
        resumed = desk.resume(live.case_id)
    except LinewiseError:
        return None  # a line without packs (Line 3) works the case by hand, from the handoff
    if line == 4:
        vendor = next(
            (
                desk.kb.faults[f].vendor
                for f in [step.fault or ""]
                if f in desk.kb.faults and desk.kb.faults[f].vendor
            ),
            None,
        )
        desk.store.append(
            live.case_id,
            Event(
                at=clock.now(),
                line=4,
                kind="waiting",
                data={"on": "vendor", "vendor": vendor or "vendor"},
            ),
        )
        clock.advance(rng.expovariate(1 / VENDOR_WAIT_MINUTES))
        desk.store.append(live.case_id, Event(at=clock.now(), line=4, kind="waiting_over"))
    return resumed


@dataclass(frozen=True)
class Batch:
    """Cases `start` to `stop` of a history (plain data: it crosses processes)."""

    start: int
    stop: int
    count: int
    seed: int
    days: int
    packs: cache.PackFiles
    golden: tuple[str, ...]
    drift: float = 0.0
    overlay: str | None = None  # a learned overlay file the desk uses (as if published)


_CAUSES: dict[tuple[Any, ...], list[Cause]] = {}


def simulate_batch(batch: Batch) -> list[SimulatedCase]:
    """Simulate a slice of the history in this process (its own desk and memory store)."""
    kb = cache.knowledge(batch.packs)
    key = (batch.packs, batch.golden, batch.seed, batch.drift)
    if key not in _CAUSES:
        _CAUSES[key] = causes(kb, [Path(p) for p in batch.golden], batch.seed, batch.drift)
    pool = _CAUSES[key]
    weights = [c.weight for c in pool]
    store = MemoryStore()
    clock = SimClock(START)
    learned = None
    if batch.overlay is not None:
        learned = weights_from(overlay_for(Path(batch.overlay), kb), kb)
    desk = Desk(
        store,
        kb,
        weights=learned,
        levels=load_service_levels(),
        clock=clock.now,
        agent="simulator",
        channel="simulation",
    )
    out: list[SimulatedCase] = []
    for index in range(batch.start, batch.stop):
        rng = random.Random(f"{batch.seed}:{index}")
        cause = rng.choices(pool, weights)[0]
        clock.time = _opened_at(index, batch.count, batch.days, rng)
        case_id = work_case(desk, clock, cause, rng, drift=batch.drift, seed=batch.seed)
        case = store.load(case_id)
        out.append(SimulatedCase(case.intake, case.events, cause.id))
    return out


BATCH = 50


@dataclass
class History:
    """What `linewise cases simulate` wrote."""

    ids: list[str]
    statuses: dict[str, int]
    hidden: int  # cases whose true cause the packs do not know
    location: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "cases": len(self.ids),
            "first": self.ids[0] if self.ids else None,
            "last": self.ids[-1] if self.ids else None,
            "statuses": self.statuses,
            "unknown_causes": self.hidden,
            "store": self.location,
        }


def simulate(
    store: Any,
    count: int,
    seed: int,
    *,
    days: int = 90,
    packs: list[Path] | None = None,
    golden: list[Path] | None = None,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
    drift: float = 0.0,
    start: int = 0,
    overlay: Path | None = None,
) -> History:
    """Simulate `count` cases and write them to `store` in one transaction, each flagged
    as simulated (so it can be told from real history in lists and reports). `drift`:
    see `causes`; `start`: the number of the first case (a later part of one history);
    `overlay`: a learned overlay file the desk uses, as if it were published."""
    files = cache.resolve_files(packs)
    cache.knowledge(files)  # a broken pack fails here, once
    golden_set = tuple(str(p) for p in golden or [])
    batches = [
        Batch(
            first,
            min(first + BATCH, start + count),
            start + count,
            seed,
            days,
            files,
            golden_set,
            drift,
            str(overlay) if overlay is not None else None,
        )
        for first in range(start, start + count, BATCH)
    ]
    done = run_all(simulate_batch, batches, jobs=jobs, progress=progress, serial_below=2)
    cases = [case for batch in done for case in batch]
    ids = store.import_cases([(c.intake, c.events) for c in cases], simulated=True)
    statuses = Counter(status_after(c.events) for c in cases)
    hidden = sum(1 for c in cases if c.cause.startswith("hidden:"))
    return History(ids, dict(sorted(statuses.items())), hidden, store.location)
