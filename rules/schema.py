"""The rule-pack language as pydantic models (the wire format of a pack).

Every model forbids unknown keys, so that a misspelt key is an error and never
silently ignored. Cross-references (a rule naming a question) are checked
afterwards by `rules.validate`, which sees the whole set of packs.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from rules.expr import MAX_CHARS, ExprError, Expression, parse
from rules.text import Text

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
PackId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64)]
SemVer = Annotated[
    str,
    StringConstraints(
        pattern=r"^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})(-[0-9A-Za-z.-]+)?$",
        max_length=64,
    ),
]
LineNo = Annotated[int, Field(ge=1, le=4)]
AnswerType = Literal["yesno", "choice", "number", "text"]
Scalar = bool | int | float | str
PackStatus = Literal["draft", "validated", "published", "archived"]

COMPARISONS: tuple[str, ...] = (
    "equals",
    "known",
    "one_of",
    "less_than",
    "greater_than",
    "between",
    "contains",
)
SUBJECTS: tuple[str, ...] = ("question", "fact", "intake")


def _parsed(text: str) -> Expression:
    """The parsed expression, or a ValueError that pydantic reports at the key's position."""
    try:
        return parse(text)
    except ExprError as err:
        raise ValueError(err.message) from None


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


OPTION_VALUE = re.compile(r"^(?:[a-z][a-z0-9_]*|[0-9]{1,9})$")


class Option(_Model):
    """One allowed answer of a choice question: an id or a menu number, optionally scored."""

    value: str = Field(
        description="An id (lower case letters, digits, '_') or a whole number such as 1 "
        "(a numbered menu: the number is what every answer form accepts).",
        max_length=64,
    )
    text: Text
    score: float | None = Field(
        default=None,
        description="The number this answer counts for in expressions (default: the value, "
        "when it is a number).",
    )

    @field_validator("value", mode="before")
    @classmethod
    def _number_value(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("value")
    @classmethod
    def _value_shape(cls, value: str) -> str:
        if not OPTION_VALUE.match(value):
            raise ValueError(
                f"'{value}' is not a valid option value: use an id (lower case letters, "
                "digits and '_', starting with a letter) or a whole number"
            )
        return value

    @property
    def number(self) -> float | None:
        """The option's number in expressions: its score, else its value if numeric."""
        if self.score is not None:
            return self.score
        return float(self.value) if self.value.isdigit() else None


class Question(_Model):
    """Something the agent asks the customer (or checks on the equipment)."""

    id: Id
    text: Text
    type: AnswerType
    options: list[Option] | None = None
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    cost: float = Field(default=1.0, gt=0, description="Minutes it takes to ask and check.")
    help: Text | None = None
    customer_text: Text | None = Field(
        default=None,
        description="The question as the self-service portal puts it to the customer "
        "(defaults to 'text').",
    )
    agent_only: bool = Field(
        default=False,
        description="Only an agent can answer it (remote access, admin tools): the "
        "self-service portal never asks it and hands the case to an agent instead.",
    )
    order: int | None = Field(
        default=None,
        description="Fixed procedure order: questions with an order are asked first, lowest first.",
    )
    after: list[Id] = Field(
        default_factory=list, description="Questions that must be settled before this one is asked."
    )

    @model_validator(mode="after")
    def _shape(self) -> Question:
        if self.type == "choice" and not self.options:
            raise ValueError("a choice question needs 'options'")
        if self.type != "choice" and self.options is not None:
            raise ValueError(f"'options' is only for choice questions, not {self.type}")
        if self.type != "number" and (self.min is not None or self.max is not None or self.unit):
            raise ValueError("'unit', 'min' and 'max' are only for number questions")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"'min' ({self.min}) is greater than 'max' ({self.max})")
        return self


class FactDecl(_Model):
    """A fact that rules derive (it is never asked)."""

    id: Id
    text: Text
    type: AnswerType = "yesno"
    options: list[Option] | None = None

    @model_validator(mode="after")
    def _shape(self) -> FactDecl:
        if self.type == "choice" and not self.options:
            raise ValueError("a choice fact needs 'options'")
        return self


class Symptom(_Model):
    """A complaint the intake can start from (an entry point of the packs)."""

    id: Id
    title: Text
    help: Text | None = None


class Fault(_Model):
    """A known cause of trouble, with the steps that fix it."""

    id: Id
    title: Text
    fix: list[Text] = Field(min_length=1)
    line: LineNo = Field(description="The lowest support line able to apply the fix.")
    prior: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="Prior likelihood among this pack's faults (omitted: an even share, "
        "1 / the number of the pack's faults).",
    )
    description: Text | None = None
    vendor: str | None = None

    @property
    def likelihood(self) -> float:
        """The prior in use: the given one, else the even share the knowledge base fills in."""
        return self.prior if self.prior is not None else 1.0


class Condition(_Model):
    """all / any / not over conditions, or one comparison over a question, fact or intake field."""

    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = Field(default=None, alias="not")
    question: Id | None = None
    fact: Id | None = None
    intake: Id | None = None
    expr: str | None = Field(
        default=None,
        max_length=MAX_CHARS,
        description="A comparison over numbers, e.g. 'score(q1) + score(q2) >= 5' "
        "(pending until every name in it is known).",
    )
    equals: Scalar | None = None
    known: bool | None = Field(
        default=None, description="true: the subject has a value (any answer but unknown)."
    )
    one_of: list[Scalar] | None = Field(default=None, min_length=1)
    less_than: float | None = None
    greater_than: float | None = None
    between: tuple[float, float] | None = None
    contains: str | None = None

    @field_validator("expr")
    @classmethod
    def _test(cls, text: str | None) -> str | None:
        if text is not None and not _parsed(text).is_test:
            raise ValueError("a condition's 'expr' must compare, e.g. 'score(a) + score(b) >= 5'")
        return text

    @model_validator(mode="after")
    def _shape(self) -> Condition:
        groups = [k for k in ("all", "any", "not_") if getattr(self, k) is not None]
        subjects = [k for k in SUBJECTS if getattr(self, k) is not None]
        comparisons = [k for k in COMPARISONS if getattr(self, k) is not None]
        exprs = ["expr"] if self.expr is not None else []
        if len(groups) + len(subjects) + len(exprs) != 1:
            raise ValueError(
                "a condition is exactly one of 'all', 'any', 'not', 'expr', or a comparison "
                "on 'question', 'fact' or 'intake'"
            )
        if (groups or exprs) and comparisons:
            where = "a group" if groups else "'expr' (write the comparison inside it)"
            raise ValueError(f"'{comparisons[0]}' belongs to a comparison, not to {where}")
        if self.known is False:
            raise ValueError("'known' takes true; for 'not yet known' there is no test")
        if subjects and len(comparisons) != 1:
            raise ValueError("a comparison needs exactly one of: " + ", ".join(COMPARISONS))
        if (self.all is not None and not self.all) or (self.any is not None and not self.any):
            raise ValueError("'all' and 'any' need at least one condition")
        if self.between is not None and self.between[0] > self.between[1]:
            raise ValueError("'between' needs [low, high] with low <= high")
        return self

    @property
    def kind(self) -> str:
        """'all', 'any', 'not' or the comparison's name."""
        if self.all is not None:
            return "all"
        if self.any is not None:
            return "any"
        if self.not_ is not None:
            return "not"
        if self.expr is not None:
            return "expr"
        return next(k for k in COMPARISONS if getattr(self, k) is not None)

    @property
    def subject(self) -> tuple[str, str]:
        """(kind, id) of a comparison's subject: ('question', 'link_light')."""
        for key in SUBJECTS:
            value = getattr(self, key)
            if value is not None:
                return key, value
        raise ValueError("a group condition has no subject")

    @property
    def operand(self) -> Any:
        return getattr(self, self.kind)

    @property
    def children(self) -> list[Condition]:
        if self.all is not None:
            return self.all
        if self.any is not None:
            return self.any
        if self.not_ is not None:
            return [self.not_]
        return []


class Consequence(_Model):
    """What a rule does when it fires: conclude a fault, derive a fact, or escalate."""

    conclude: Id | None = None
    certainty: float | None = Field(default=None, ge=-1, le=1)
    derive: Id | None = None
    value: Scalar | None = None
    expr: str | None = Field(
        default=None,
        max_length=MAX_CHARS,
        description="With 'derive': the value computed from known numbers, e.g. "
        "'score(q1) + score(q2)' (the rule waits until every name in it is known).",
    )
    escalate: LineNo | None = None
    reason: Text | None = None

    @field_validator("expr")
    @classmethod
    def _arithmetic(cls, text: str | None) -> str | None:
        if text is not None:
            _parsed(text)
        return text

    @model_validator(mode="after")
    def _shape(self) -> Consequence:
        kinds = [k for k in ("conclude", "derive", "escalate") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("a consequence is exactly one of 'conclude', 'derive' or 'escalate'")
        if self.conclude is None and self.certainty is not None:
            raise ValueError("'certainty' goes with 'conclude'")
        if self.derive is None and (self.value is not None or self.expr is not None):
            raise ValueError(f"'{'value' if self.expr is None else 'expr'}' goes with 'derive'")
        if self.value is not None and self.expr is not None:
            raise ValueError("'derive' takes 'value' or 'expr', not both")
        if self.escalate is None and self.reason is not None:
            raise ValueError("'reason' goes with 'escalate'")
        if self.derive is not None and self.value is None and self.expr is None:
            raise ValueError("'derive' needs a 'value' (or an 'expr' to compute it)")
        if self.escalate is not None and self.reason is None:
            raise ValueError("'escalate' needs a 'reason'")
        return self

    @property
    def kind(self) -> Literal["conclude", "derive", "escalate"]:
        if self.conclude is not None:
            return "conclude"
        if self.derive is not None:
            return "derive"
        return "escalate"

    @property
    def cf(self) -> float:
        """The certainty of a conclusion (1.0 when the pack gives none)."""
        return 1.0 if self.certainty is None else self.certainty


class Rule(_Model):
    """When the conditions hold, the consequences apply."""

    id: Id
    description: Text | None = None
    priority: int = 0
    when: Condition | None = Field(
        default=None, description="Omitted only for a fallback rule, which then always applies."
    )
    then: list[Consequence] = Field(min_length=1)
    stop: bool = Field(
        default=False,
        description="First matching rule wins: conclusions of lower-priority rules are shadowed.",
    )
    fallback: bool = Field(
        default=False,
        description="Applies only when no other rule concludes a fault or escalates.",
    )

    @model_validator(mode="after")
    def _shape(self) -> Rule:
        if self.when is None and not self.fallback:
            raise ValueError("a rule needs 'when' (only a fallback rule may omit it)")
        return self


class Pack(_Model):
    """One versioned rule pack, owned by one support line."""

    id: PackId
    version: SemVer
    line: LineNo
    title: Text
    status: PackStatus = "draft"
    requires: list[PackId] = Field(default_factory=list)
    description: Text | None = None
    symptoms: list[Symptom] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)
    facts: list[FactDecl] = Field(default_factory=list)
    faults: list[Fault] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
