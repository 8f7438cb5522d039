"""What a guided session does next (engine.session.Session.step): ask a question, propose a
fix, show a conclusion, escalate, or nothing (it is over)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from engine.result import Diagnosis, Escalation, FaultScore
from engine.say import Message
from engine.select import Choice
from rules.schema import Question

SessionStatus = Literal["open", "resolved", "escalated", "unresolved"]


@dataclass(frozen=True)
class Ask:
    question: Question
    choice: Choice | None  # None: asked again by a rule's loop (`repeated_by`)
    diagnosis: Diagnosis
    number: int  # 1-based count of questions on this line
    repeated_by: str | None = None  # the rule that asks it again ('pack/rule')
    messages: tuple[Message, ...] = ()  # what rules say, shown before this step


@dataclass(frozen=True)
class ProposeFix:
    """Propose the firm fault's fix and ask whether it worked (`optional`: the answer may
    also be that it cannot be confirmed now)."""

    fault: FaultScore
    diagnosis: Diagnosis
    optional: bool = False
    messages: tuple[Message, ...] = ()  # what rules say, shown before this step


@dataclass(frozen=True)
class Conclude:
    """A conclusion that is not confirmed (an outcome without a fix, or a fault with
    `confirm: none`): shown, and the session ends with it."""

    fault: FaultScore
    diagnosis: Diagnosis
    messages: tuple[Message, ...] = ()  # what rules say, shown before this step


@dataclass(frozen=True)
class Escalate:
    """Hand the case to `escalation.to_line` (or, at Line 4, leave it unresolved)."""

    escalation: Escalation
    fault: str | None
    diagnosis: Diagnosis
    final: bool  # True at the top line: nowhere higher to go
    advice: str | None = None  # the reached fault's advice, shown before the case goes up
    messages: tuple[Message, ...] = ()  # what rules say, shown before this step


@dataclass(frozen=True)
class Done:
    status: SessionStatus
    fault: str | None = None
    confirmed: bool = True  # False: it ended at a conclusion nobody confirmed


Step = Ask | ProposeFix | Conclude | Escalate | Done
