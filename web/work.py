"""Case work over HTTP: the same desk calls as the terminal, plus the stale-step check.

The server keeps nothing between requests: each request rebuilds the case's live
session from its events (cases.desk.Desk.attach), so any worker can serve any case
and a killed server loses nothing. Every change carries the step number the client
saw (the case's last event number); when the case moved on since (another tab, a
double submit), the change is refused with StaleStep (409) and nothing is stored.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cases.desk import Desk, LiveCase
from cases.model import Case, CaseMovedOn, normalise_id
from engine.escalation import escalation
from engine.handoff import Handoff
from engine.session import Ask, Conclude, Done, Escalate, ProposeFix, Step, reached_advice
from present.explain import how_document, why_document, whynot_document, without_internal
from present.handoff import handoff_document
from present.names import Namer
from present.question import conclusion_view
from present.say import said_texts
from present.search import find_faults
from present.views import Document
from rules.errors import InvalidInput, UnknownIdError, did_you_mean
from web.errors import StaleStep
from web.views import Audience, StepView, step_view


def _last_seq(case: Case) -> int:
    return case.events[-1].seq if case.events else 0


def recent_said(case: Case) -> list[str]:
    """What rules said since the last answer (or change): shown above the current step."""
    out: list[str] = []
    for event in reversed(case.events):
        if event.kind == "said":
            out.append(str(event.data.get("text", "")))
        elif event.kind != "fix_proposed":
            break
    return out[::-1]


def incoming(case: Case, line: int) -> Handoff | None:
    """The handoff packet that brought the case to `line` (the last one), if any."""
    for event in reversed(case.events):
        handoff = event.data.get("handoff") if event.kind == "escalated" else None
        if isinstance(handoff, dict) and handoff.get("to_line") == line:
            return Handoff.model_validate(handoff)
    return None


RECENT = 2000  # live sessions kept per worker, by case


@dataclass
class Kept:
    """A live session kept between requests, with the step it stands at."""

    agent: str
    live: LiveCase
    step: Step

    @property
    def seq(self) -> int:
        return _last_seq(self.live.case())


@dataclass
class Work:
    """One desk (agents) and, for the portal, the same desk with the customer's policy.

    The live session of a case recently worked here is kept, with the case as it stood
    after its last change. A change that names that step is made on the kept session
    without reading the store, and stored only if the stored case is still at that step
    (checked in the append's own transaction: the desk is guarded), so another worker or
    a tab that moved the case on makes it a stale step (409) and the kept session is
    dropped; it saves rebuilding the session and its diagnosis, never correctness.
    """

    desk: Desk
    _recent: OrderedDict[str, Kept] = field(default_factory=OrderedDict)

    def __post_init__(self) -> None:
        self.desk.guarded = True

    def _live(self, case: Case, seq: int, agent: str) -> tuple[LiveCase, Step]:
        kept = self._recent.get(case.id)
        if kept is not None and kept.agent == agent and kept.seq == seq:
            self._recent.move_to_end(case.id)
            return kept.live, kept.step
        live = self.desk.attach(case, agent=agent)
        return live, self._remember(live, agent)

    def _remember(self, live: LiveCase, agent: str) -> Step:
        step = live.session.step()
        self._recent[live.case_id] = Kept(agent, live, step)
        self._recent.move_to_end(live.case_id)
        while len(self._recent) > RECENT:
            self._recent.popitem(last=False)
        return step

    @contextmanager
    def _changing(self, live: LiveCase) -> Iterator[None]:
        """Forget the kept session when a change fails (the store is the truth); a case
        that moved on since the step shown is a stale step."""
        try:
            yield
        except CaseMovedOn as err:
            self._recent.pop(live.case_id, None)
            raise StaleStep(err.message, hint="reload the case", field="step") from err
        except BaseException:
            self._recent.pop(live.case_id, None)
            raise

    def line_of(self, case_id: str) -> int:
        """The line a case is at: from its kept session, else from the store (a change
        made on a kept session that went stale is refused when it is stored)."""
        kept = self._recent.get(normalise_id(case_id))
        return kept.live.line if kept is not None else self.load(case_id).line

    @property
    def lang(self) -> str:
        return self.desk.lang

    def load(self, case_id: str) -> Case:
        return self.desk.store.load(case_id)

    def view(
        self,
        case: Case,
        *,
        agent: str = "",
        audience: Audience = "agent",
        everything: bool = False,
    ) -> StepView:
        """Where the case stands; a proposed fix is recorded once when first shown."""
        status = case.status
        line = case.line
        packet = incoming(case, line)
        base: dict[str, Any] = {
            "case": case.id,
            "line": line,
            "status": status,
            "handoff": packet,
            "handoff_view": self.handoff_view(packet, everything=everything),
            "intake": case.intake,
        }
        if status in ("escalated", "abandoned"):
            kind = "handoff" if status == "escalated" else "paused"
            return StepView(kind=kind, step=_last_seq(case), **base)
        if status in ("resolved", "unresolved"):
            out = case.outcome()
            fault = out.get("fault")
            shown = None
            if out.get("confirmed") is False and fault in self.desk.kb.faults:
                shown = conclusion_view(self.desk.kb, fault, self.lang)
            return StepView(
                kind="done", step=_last_seq(case), fault=fault, conclusion=shown, **base
            )
        seq = _last_seq(case)
        live, step = self._live(case, seq, agent)
        if not isinstance(step, Done) and step.messages:  # said once, then shown till answered
            texts = said_texts(step.messages, self.desk.kb, self.lang)
            with self._changing(live):
                live.say(step.messages, texts)
            step = self._remember(live, agent)
            case = live.case()
            seq = _last_seq(case)
        if isinstance(step, Conclude):  # shown once, and the session ends at it
            with self._changing(live):
                live.conclude(step.fault.id)
            self._recent.pop(live.case_id, None)
            return self.view(live.case(), agent=agent, audience=audience, everything=everything)
        last = case.events[-1] if case.events else None
        proposed = last is not None and last.kind == "fix_proposed"
        if isinstance(step, ProposeFix) and not (proposed and last and last.fault == step.fault.id):
            with self._changing(live):
                recorded = live.propose(step.fault.id, step.fault.certainty)
            if recorded is not None:  # the step stays the same; only its number moved on
                seq = recorded
        return step_view(
            step,
            said=recent_said(case),
            case=case.id,
            line=line,
            status=status,
            seq=seq,
            kb=self.desk.kb,
            lang=self.lang,
            audience=audience,
            handoff=packet,
            intake=case.intake,
            everything=everything,
        )

    def open(self, intake: dict[str, Any], line: int, *, agent: str = "") -> StepView:
        """A new case at `line` and its first step (its live session is kept)."""
        live = self.desk.open(intake, line, agent=agent)
        self._remember(live, agent)
        return self.view(live.case(), agent=agent)

    def handoff_view(self, packet: Handoff | None, *, everything: bool = False) -> Document | None:
        """The packet in sentences; internal facts only when `everything` is asked for."""
        if packet is None:
            return None
        return handoff_document(packet, self.desk.kb, self.lang, everything=everything)

    # ---- changes ------------------------------------------------------------------------------

    def current(self, case_id: str, step: int, *, agent: str = "") -> tuple[LiveCase, Step]:
        """The live case and its current step, when `step` is still the current step (a
        kept session at that step is used as it is: storing the change checks it)."""
        kept = self._recent.get(normalise_id(case_id))
        if kept is not None and kept.agent == agent and kept.seq == step:
            self._recent.move_to_end(kept.live.case_id)
            return kept.live, kept.step
        case = self.load(case_id)
        seq = _last_seq(case)
        if step != seq:
            raise StaleStep(
                f"case {case.id} has moved on since step {step} (now at step {seq})",
                hint="reload the case and answer the question it asks now",
                field="step",
            )
        return self._live(case, seq, agent)

    def answer(
        self, case_id: str, step: int, question: str, value: Any, *, agent: str = ""
    ) -> StepView:
        live, now = self.current(case_id, step, agent=agent)
        if question not in self.desk.kb.questions:
            raise UnknownIdError(
                f"unknown question '{question}'",
                hint=did_you_mean(question, self.desk.kb.questions) or "answer the question shown",
            )
        if not isinstance(now, Ask) or now.question.id != question:
            asked = now.question.id if isinstance(now, Ask) else "no question"
            raise StaleStep(
                f"question '{question}' is not the one case {case_id} asks now ({asked})",
                hint="reload the case and answer the question it asks now",
                field="question",
            )
        with self._changing(live):
            live.answer(question, value)
        return self._after(live, agent)

    def _after(self, live: LiveCase, agent: str) -> StepView:
        """The view after a change, from the live session that made it."""
        case = live.case()
        if case.status == "open":
            self._remember(live, agent)
        else:
            self._recent.pop(live.case_id, None)
        return self.view(case, agent=agent)

    def back(self, case_id: str, step: int, *, agent: str = "") -> StepView:
        live, _ = self.current(case_id, step, agent=agent)
        with self._changing(live):
            live.back()
        return self._after(live, agent)

    def fix(
        self,
        case_id: str,
        step: int,
        fault: str,
        worked: bool | None,
        note: str = "",
        *,
        agent: str = "",
    ) -> StepView:
        """Whether the proposed fix worked; None: it cannot be confirmed now (only where the
        fault's confirmation is optional: the case closes at the conclusion)."""
        live, now = self.current(case_id, step, agent=agent)
        if not isinstance(now, ProposeFix) or now.fault.id != fault:
            raise StaleStep(
                f"no fix for '{fault}' is proposed on case {case_id} now",
                hint="reload the case",
                field="fault",
            )
        if worked is None and not now.optional:
            raise InvalidInput(
                f"the fix for '{fault}' must be confirmed: say whether it worked",
                hint="send worked: true or false",
            )
        with self._changing(live):
            if worked is None:
                live.conclude(fault, note)
            else:
                live.fix(fault, worked, note)
        return self._after(live, agent)

    def escalate(
        self,
        case_id: str,
        step: int,
        note: str = "",
        *,
        agent: str = "",
        to_agent: bool = False,
    ) -> tuple[StepView, Handoff]:
        """Hand the case up: the engine's escalation when it says so, else the agent's.
        `to_agent`: the self-service portal hands the case to an agent of the same line."""
        live, now = self.current(case_id, step, agent=agent)
        if to_agent and isinstance(now, Ask | ProposeFix | Conclude | Escalate):
            diag = now.diagnosis
            top = diag.top.id if diag.top is not None and diag.top.certainty > 0 else None
            esc = escalation("self_service", live.line, self.lang, to_line=live.line)
            target = Escalate(esc, top, diag, final=False, advice=reached_advice(diag, top))
        elif isinstance(now, Escalate):
            target = now
        elif isinstance(now, Ask | ProposeFix | Conclude):
            diag = now.diagnosis
            top = diag.top.id if diag.top is not None and diag.top.certainty > 0 else None
            esc = escalation("agent", live.line, self.lang)
            target = Escalate(
                esc, top, diag, final=live.line >= 4, advice=reached_advice(diag, top)
            )
        else:
            raise StaleStep(f"case {case_id} is already {now.status}", hint="reload the case")
        with self._changing(live):
            packet = live.escalate(target, note)
        return self._after(live, agent), packet

    def resume(
        self,
        case_id: str,
        *,
        agent: str = "",
        allow_pack_change: bool = False,
        line: int | None = None,
    ) -> StepView:
        """Pick up an escalated case at its new line, or continue a paused one; `line`: a
        specialist takes the case up at their (higher) line, carrying every fact."""
        case = self.load(case_id)
        if case.status == "open" and (line is None or line == case.line):
            return self.view(case, agent=agent)
        self._recent.pop(case.id, None)
        live = self.desk.resume(
            case_id, agent=agent, allow_pack_change=allow_pack_change, line=line
        )
        return self.view(live.case(), agent=agent)

    def explain(
        self,
        case_id: str,
        what: str,
        fault: str = "",
        *,
        agent: str = "",
        everything: bool = False,
    ) -> tuple[Any, Document]:
        """WHY (the current question), HOW (the reasoning) or WHY NOT (a fault, by id or by
        words of its title): the engine's data and what people read."""
        case = self.load(case_id)
        if case.status != "open":
            self.desk.attach(case, agent=agent)  # says why nothing is explained
        live, _ = self._live(case, _last_seq(case), agent)
        session = live.session
        if what == "why":
            step = session.step()
            if not isinstance(step, Ask):
                raise StaleStep(
                    f"case {case.id} asks no question now", hint="WHY is asked at a question"
                )
            return session.why(), why_document(session, step.question.id)
        if what == "how":
            data = session.how()
            if not everything:
                data = without_internal(data, Namer(self.desk.kb, self.lang))
            return data, how_document(session, everything=everything)
        fault_id = self.fault_named(fault)
        return session.why_not(fault_id), whynot_document(session, fault_id)

    def fault_named(self, typed: str) -> str:
        """A fault id from an id or words of its title (several matches: say which)."""
        if typed in self.desk.kb.faults:
            return typed
        found = find_faults(self.desk.kb, typed, self.lang)
        if len(found) == 1:
            return found[0].ref
        if not found:
            raise UnknownIdError(
                f"no fault matches '{typed}'",
                hint=did_you_mean(typed, self.desk.kb.faults) or "type words of its title",
            )
        listed = "; ".join(f"{c.title} ({c.ref})" for c in found[:8])
        raise InvalidInput(f"'{typed}' matches {len(found)} faults: {listed}", hint="say which")
