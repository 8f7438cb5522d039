"""The support desk: opens, resumes and advances cases, storing each change as it happens.

This is the session API a terminal (cli.guided) or, later, an HTTP service calls.
`Desk.open` starts a case at Line 1; `Desk.resume` replays a stored case's events to
rebuild its session (a case escalated to the next line starts that line's session,
carrying every fact, so nothing asked before is asked again). Every method of
`LiveCase` that changes the case appends one event to the store before it returns.

Store first, memory second: a change is validated, its event appended, and only then
applied to the in-memory session. A store that fails (a full disk, a lock held too
long) raises `StoreError` and leaves the session exactly as it was, so memory and
store never diverge: what the session knows is what a resume would replay.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cases.desk_errors import ClosedCase, NoGuidedKnowledge, PackVersionError
from cases.model import Case, Event
from cases.recorded import case_notes, json_value, replay
from cases.sla import ServiceLevels, load_service_levels
from cases.store import CaseStore
from engine.compile import CompiledKnowledge, compile_knowledge
from engine.diagnose import DEFAULT_THRESHOLD
from engine.facts import FactSet, now
from engine.handoff import Handoff, Note, build_handoff
from engine.logic import UNKNOWN
from engine.select import next_question
from engine.session import Asked, Escalate, Message, Session
from engine.weights import Weights
from rules.errors import InvalidInput, UnknownIdError
from rules.knowledge import INTAKE_PREFIX, KnowledgeBase
from rules.scope import line_knows


class Desk:
    """Cases in a store, worked with the compiled knowledge of each line."""

    def __init__(
        self,
        store: CaseStore,
        kb: KnowledgeBase,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        lang: str = "en",
        levels: ServiceLevels | None = None,
        policy: Callable[..., Any] = next_question,
        clock: Callable[[], str] = now,
        agent: str | None = None,
        channel: str | None = None,
        compiled: dict[int, CompiledKnowledge] | None = None,
        guarded: bool = False,
        weights: Weights | None = None,
    ) -> None:
        self.store = store
        # guarded: each live case's changes are stored only while the stored case is still
        # the one it knows (a server keeping live cases between requests, several workers)
        self.guarded = guarded
        self.agent = agent  # recorded with every event this desk writes
        self.channel = channel
        self.kb = kb
        self.threshold = threshold
        self.lang = lang
        self.levels = levels or load_service_levels()
        self.policy = policy
        self.clock = clock
        # compiled knowledge per line, built on first use (may be shared between desks)
        self._lines: dict[int, CompiledKnowledge] = compiled if compiled is not None else {}
        self.weights = weights  # the published learned overlay (engine.weights), if any
        self._weighted: dict[int, CompiledKnowledge] = {}

    def knowledge(self, line: int) -> CompiledKnowledge:
        """The compiled knowledge of a line (built once)."""
        if line not in self._lines:
            self._lines[line] = compile_knowledge(
                self.kb.for_line(line), name=f"Line{line}Knowledge"
            )
        if self.weights is None:
            return self._lines[line]
        found = self._weighted.get(line)
        if found is None or found.rules is not self._lines[line].rules:
            found = self._weighted[line] = self._lines[line].weighted(self.weights)
        return found

    def guided(self, line: int, complaint: Any) -> bool:
        """Whether `line` runs a guided session for `complaint`: one of its own packs has
        knowledge for it (rules.scope). Without a complaint: whether the line has packs."""
        packs = [p.pack for p in self.kb.packs.values()]
        if isinstance(complaint, str) and complaint:
            return line_knows(packs, line, complaint)
        return any(p.line == line for p in packs)

    def event(self, line: int, kind: Any, *, agent: str = "", **fields: Any) -> Event:
        """An event happening now on `line`, done by `agent` (else this desk's agent)
        through this desk's channel."""
        return Event(
            at=self.clock(),
            line=line,
            kind=kind,
            agent=agent or self.agent,
            channel=self.channel,
            **fields,
        )

    def check_intake(self, intake: Mapping[str, Any], line: int = 1) -> dict[str, Any]:
        """Validated intake values (canonical), checked against the opening line's packs."""
        compiled = self.knowledge(line)
        facts = FactSet()
        for name, raw in intake.items():
            if raw is not None and raw != "":
                facts.intake(compiled.kb, name, raw)
        return {f.key.removeprefix(INTAKE_PREFIX): json_value(f.value) for f in facts}

    def with_policy(self, policy: Callable[..., Any]) -> Desk:
        """The same desk (store, knowledge compiled once) choosing questions by `policy`
        (the self-service portal asks only what a customer can answer)."""
        return Desk(
            self.store,
            self.kb,
            threshold=self.threshold,
            lang=self.lang,
            levels=self.levels,
            policy=policy,
            clock=self.clock,
            agent=self.agent,
            channel=self.channel,
            compiled=self._lines,
            guarded=self.guarded,
            weights=self.weights,
        )

    def open(self, intake: Mapping[str, Any], line: int = 1, *, agent: str = "") -> LiveCase:
        """A new case, at Line 1 unless a specialist opens it directly at their line."""
        values = self.check_intake(intake, line)
        at = self.clock()
        case_id = self.store.create(values, at, agent=agent or self.agent, channel=self.channel)
        return self._start(self.store.load(case_id), line, agent)

    def _start(self, case: Case, line: int, agent: str = "", **extra: Any) -> LiveCase:
        compiled = self.knowledge(line)
        data: dict[str, Any] = {"packs": compiled.kb.versions(), **extra}
        if self.weights is not None:  # the learned overlay the session weighs with
            data["overlay"] = self.weights.version
        if agent:
            data["agent"] = agent
        self.store.append(case.id, self.event(line, "session_started", agent=agent, data=data))
        return self._live(self.store.load(case.id), line, agent)

    def _live(self, case: Case, line: int, agent: str = "") -> LiveCase:
        compiled = self.knowledge(line)
        record, ruled_here = replay(case)
        for fault_id in record.ruled_out:  # every one is a fix that did not work
            record.fix_outcome(compiled.kb, fault_id, "failed")
        session = Session(
            compiled,
            record,
            line=line,
            budget=self.levels.budget(case.intake.get("service_form"), line),
            threshold=self.threshold,
            lang=self.lang,
            policy=self.policy,
            agent=agent,
        )
        session.ruled_here = ruled_here
        known = case if self.guarded else None
        return LiveCase(self, case.id, case.opened_at, case.intake, session, agent, known)

    def attach(self, case: Case, *, agent: str = "") -> LiveCase:
        """The live session of an open case, rebuilt from its events without writing one
        (a stateless server rebuilds it on every request). Escalated or closed cases are
        not open: resume them (the next line picks it up) or read them."""
        if case.status != "open":
            raise ClosedCase(
                f"case {case.id} is {case.status}, not open on a line",
                hint="pick it up from the queue (resume) or read its transcript",
            )
        return self._live(case, case.line, agent)

    def resume(
        self,
        case_id: str,
        *,
        allow_pack_change: bool = False,
        agent: str = "",
        line: int | None = None,
    ) -> LiveCase:
        """Continue a stored case where it stopped (the next line's session if it was
        escalated), with the same pack versions. `line`: a specialist of a higher line
        takes the case up at their line (a new session there, carrying every fact)."""
        case = self.store.load(case_id)
        status = case.status
        if status in ("resolved", "unresolved"):
            raise ClosedCase(
                f"case {case.id} is {status}",
                hint=f"see its history with 'linewise case show {case.id}'",
            )
        if line is not None and line != case.line:
            return self._take_up(case, line, agent)
        line = case.line
        if case.current_session() is None:  # stopped before its session was stored
            return self._start(case, line, agent)
        if status == "escalated":
            if not self.guided(line, case.intake.get("complaint")):
                raise NoGuidedKnowledge(
                    f"case {case.id} waits in Line {line}'s queue without guided knowledge: "
                    f"no Line {line} pack knows its complaint",
                    hint=f"a Line {line} specialist works it by hand from the handoff: "
                    f"linewise case show {case.id}",
                )
            return self._start(case, line, agent)
        current = case.current_session()
        compiled = self.knowledge(line)
        recorded = current.packs if current is not None else {}
        changed = {
            pid: {"recorded": recorded.get(pid), "now": version}
            for pid, version in {**dict.fromkeys(recorded), **compiled.kb.versions()}.items()
            if recorded.get(pid) != version
        }
        if changed and not allow_pack_change:
            listing = ", ".join(
                f"{pid} {v['recorded'] or 'absent'} -> {v['now'] or 'absent'}"
                for pid, v in sorted(changed.items())
            )
            raise PackVersionError(
                f"case {case.id} was worked with other pack versions ({listing})",
                hint="answers may no longer mean the same; resume with --allow-pack-change "
                "to continue on the current packs (recorded in the case)",
            )
        data: dict[str, Any] = {"packs_changed": changed} if changed else {}
        if agent:
            data["agent"] = agent
        self.store.append(case.id, self.event(line, "resumed", agent=agent, data=data))
        return self._live(self.store.load(case.id), line, agent)

    def _take_up(self, case: Case, line: int, agent: str) -> LiveCase:
        """Start `line`'s session on a case now at a lower line (nothing asked is asked
        again); a case never goes down a line this way."""
        if line < case.line:
            raise InvalidInput(
                f"case {case.id} is at Line {case.line}; it cannot be taken back to Line {line}",
                hint=f"work it at Line {case.line} or above",
            )
        try:
            self.knowledge(line)
        except UnknownIdError as err:
            raise UnknownIdError(
                f"Line {line} has no packs here, so case {case.id} cannot be worked there",
                hint=f"read it with 'linewise case show {case.id}'",
            ) from err
        return self._start(case, line, agent, taken_from_line=case.line)


@dataclass
class LiveCase:
    """A case being worked on one line; each change is stored as it happens."""

    desk: Desk
    case_id: str
    opened_at: str
    intake: dict[str, Any]
    session: Session
    agent: str = ""  # who works it, when the desk serves many (the web); else the desk's
    # a guarded desk's case as stored after this session's last change: each change is
    # stored only if the case has not moved on since (else CaseMovedOn, nothing stored)
    known: Case | None = None

    @property
    def line(self) -> int:
        return self.session.line

    def _append(self, kind: Any, **fields: Any) -> Event:
        event = self.desk.event(self.line, kind, agent=self.agent, **fields)
        if self.known is None:
            return self.desk.store.append(self.case_id, event)
        last = self.known.events[-1].seq if self.known.events else 0
        stored = self.desk.store.append(self.case_id, event, after=last)
        self.known = self.known.model_copy(update={"events": [*self.known.events, stored]})
        return stored

    def case(self) -> Case:
        """The case as stored (a guarded desk knows it without reading the store)."""
        return self.known if self.known is not None else self.desk.store.load(self.case_id)

    def answer(self, question_id: str, raw: Any) -> Asked:
        """Validate, store, then record an answer (an invalid one raises, nothing stored)."""
        asked = self.session.check_answer(question_id, raw, at=self.desk.clock())
        unknown = asked.value is UNKNOWN
        self._append(
            "unknown" if unknown else "answer",
            question=question_id,
            value=None if unknown else asked.value,
            cost=asked.cost,
            data={"by": self.session.agent},
        )
        self.session.record_answer(asked)
        return asked

    def back(self) -> Asked:
        """Take back the last answer on this line: stored first, then forgotten."""
        last = self.session.last_answer()
        self._append("back", question=last.question)
        return self.session.back()

    def propose(self, fault_id: str, certainty: float) -> int | None:
        """Record that a fix is proposed (once, even when the prompt is shown again);
        the new event's number, or None when it was already recorded."""
        last = self.case().events[-1]
        if last.kind == "fix_proposed" and last.fault == fault_id:
            return None
        return self._append("fix_proposed", fault=fault_id, data={"certainty": certainty}).seq

    def fix(self, fault_id: str, worked: bool, note: str = "") -> None:
        """The fix worked (resolved) or did not (ruled out; `note` says what happened)."""
        at = self.desk.clock()
        self.session.require_open()
        data = {"note": note.strip()} if note.strip() else {}
        if worked:
            self._append("fix_worked", fault=fault_id, data=data)
        else:
            self._append(
                "fix_failed",
                fault=fault_id,
                reason=self.session.fix_failed_reason(at),
                data=data,
            )
        self.session.fix_result(fault_id, worked, at=at)

    def say(self, messages: Sequence[Message], texts: Sequence[str]) -> None:
        """Record that rules' messages were shown (`texts`: as the reader saw them), each
        as a `said` event, so a resumed case does not show them again."""
        self.session.require_open()
        for message, text in zip(messages, texts, strict=True):
            self._append("said", data={"key": message.key, "text": text})
        self.session.said(messages)

    def conclude(self, fault_id: str, note: str = "") -> None:
        """End at a conclusion nobody confirms (an outcome without a fix, `confirm: none`,
        or an optional confirmation not given): resolved, recorded as unconfirmed."""
        self.session.require_open()
        fault = self.session.compiled.kb.faults.get(fault_id)
        data: dict[str, Any] = {"kind": fault.kind if fault is not None else "fault"}
        if note.strip():
            data["note"] = note.strip()
        self._append("concluded", fault=fault_id, data=data)
        self.session.conclude(fault_id)

    def escalate(self, step: Escalate, note: str = "") -> Handoff:
        """Hand the case up (or close it unresolved at Line 4) with its handoff packet;
        `note` is the agent's word to the next line, kept in the case and the packet."""
        at = self.desk.clock()
        service_form = self.intake.get("service_form")
        clock = self.desk.levels.clock(service_form, self.opened_at, at)
        notes = case_notes(self.case())
        if note.strip():
            notes.append(Note(line=self.line, at=at, about="escalation", text=note.strip()))
        guided = step.final or self.desk.guided(
            step.escalation.to_line, self.intake.get("complaint")
        )
        handoff = build_handoff(
            self.session,
            step,
            opened_at=self.opened_at,
            at=at,
            sla=clock,
            notes=notes,
            guided=guided,
        )
        self._append(
            "unresolved" if step.final else "escalated",
            fault=step.fault,
            reason=step.escalation.reason,
            data={"handoff": handoff.model_dump(mode="json"), "note": note.strip()}
            if note.strip()
            else {"handoff": handoff.model_dump(mode="json")},
        )
        self.session.escalated(step)
        return handoff

    def quit(self, reason: str = "the agent quit") -> None:
        """Pause the case (resumable). A case that has just ended stays ended: a signal can
        arrive after its last event was stored and before the session saw it."""
        if self.session.status == "open" and self.case().status == "open":
            self._append("quit", reason=reason)

    def handoff_in(self) -> Handoff | None:
        """The packet this line received (None for the first line)."""
        events = self.case().events
        for event in reversed(events):
            if (
                event.kind == "escalated"
                and event.data.get("handoff", {}).get("to_line") == self.line
            ):
                return Handoff.model_validate(event.data["handoff"])
        return None
