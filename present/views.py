"""What people read, as data: frozen pydantic models that serialise to JSON.

Every text here is already in the reader's language and speaks in titles and sentences;
the internal id of what an item is about rides along in `ref`, for people who ask for
ids (`--ids`, `?ids=1`) and for links, never as the text itself.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class _View(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(_View):
    """One sentence, possibly with sentences under it (a reason, the facts a rule used)."""

    text: str
    ref: str | None = None  # the internal id this sentence is about
    items: tuple[Item, ...] = ()


class Section(_View):
    """A titled list of sentences; `key` names the section for code (e.g. 'notes',
    'questions'), the same in every language."""

    title: str
    key: str = ""
    items: tuple[Item, ...] = ()


class Document(_View):
    """An explanation, a handoff or a recap: a title, a summary, sections of sentences."""

    kind: Literal[
        "why", "how", "whynot", "handoff", "recap", "candidates", "transcript", "diagnosis"
    ]
    title: str
    summary: str = ""
    ref: str | None = None
    sections: tuple[Section, ...] = ()


class Option(_View):
    """One answer a person can pick: typed as its number (`key`) or its words."""

    key: str  # "1", "2", ...
    value: str  # what is recorded (the pack's option value, 'yes', 'no')
    label: str  # what people read


class QuestionView(_View):
    """A question as asked: its text, how to check, the answers it takes."""

    ref: str
    number: int  # 1-based count of questions on this line
    line: int
    text: str
    help: str | None
    kind: Literal["yesno", "choice", "number", "text"]
    kind_label: str  # "yes or no", "a number (V)", ...
    unit: str | None = None
    minutes: float
    options: tuple[Option, ...] = ()  # yes/no and choice questions
    again: str = ""  # asked again by a rule's loop: says so


class FixView(_View):
    """A fault that is firm, and the steps that fix it."""

    ref: str
    title: str
    certainty: float
    certainty_label: str  # "certainty 0.90"
    steps: tuple[str, ...]
    prompt: str  # "Did the fix work?"
    options: tuple[Option, ...]  # yes, no (and 'later' when confirming is optional)
    advice: str | None = None  # the fault's advice, shown before the steps


class ConclusionView(_View):
    """A conclusion shown without asking whether it worked: an outcome without a fix
    (information, no fault found, alternatives to choose from) or an unconfirmed fault."""

    ref: str
    kind: Literal["fault", "information", "no_fault", "alternatives"]
    heading: str  # "No fault found", "Information for the customer", ...
    title: str
    description: str | None = None
    steps: tuple[str, ...] = ()  # a fault's fix steps, in order
    choices: tuple[str, ...] = ()  # alternatives: offered as a choice, not in order
    advice: str | None = None


class Candidate(_View):
    """One match for what a person typed (a fault for WHY NOT, a complaint)."""

    ref: str
    title: str


class Banner(_View):
    """The head of a session: the case, the line, the complaint, the packs in use."""

    case: str
    line: int
    title: str  # "Case C-000001 · Line 1 · No network over the cable"
    packs: str  # "account 1.0.0, display 1.0.0, ..."
    commands: str  # one line naming the commands


class StepView(_View):
    """What the session does next, ready to show: ask, propose a fix, escalate, done."""

    kind: Literal["ask", "fix", "conclude", "escalate", "done"]
    question: QuestionView | None = None
    fix: FixView | None = None
    conclusion: ConclusionView | None = None
    handoff: Document | None = None  # for 'escalate', once the packet is built
    message: str = ""  # 'done': "Case C-000001 is resolved: Faulty network cable"
