"""The rule-pack language as pydantic models (the wire format of a pack).

Every model forbids unknown keys, so that a misspelt key is an error and never
silently ignored. Cross-references (a rule naming a question) are checked
afterwards by `rules.validate`, which sees the whole set of packs.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from rules.expr import MAX_CHARS, ExprError, Expression, parse
from rules.schema_ask import OPTION_VALUE, FactDecl, Option, Question
from rules.schema_base import (
    COMPARISONS,
    SUBJECTS,
    AnswerType,
    Id,
    LineNo,
    PackId,
    PackStatus,
    Scalar,
    SemVer,
    _Model,
)
from rules.schema_fault import Fault, Symptom
from rules.text import Text

__all__ = [
    "COMPARISONS",
    "OPTION_VALUE",
    "SUBJECTS",
    "AnswerType",
    "Condition",
    "Consequence",
    "FactDecl",
    "Fault",
    "Id",
    "LineNo",
    "Option",
    "Pack",
    "PackId",
    "PackStatus",
    "Question",
    "Rule",
    "Scalar",
    "SemVer",
    "Sequence",
    "Step",
    "Symptom",
]


def _parsed(text: str) -> Expression:
    """The parsed expression, or a ValueError that pydantic reports at the key's position."""
    try:
        return parse(text)
    except ExprError as err:
        raise ValueError(err.message) from None


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
    forbids: list[Id] = Field(
        default_factory=list,
        description="With 'escalate': actions (as questions name them in 'actions') that this "
        "escalation's reason forbids, e.g. open_case when opening voids the warranty.",
    )

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
        if self.escalate is None and self.forbids:
            raise ValueError("'forbids' goes with 'escalate'")
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


class Step(_Model):
    """One check of a sequence: it applies when its `when` holds and no earlier check did."""

    id: Id | None = Field(default=None, description="The rule's id [default: SEQUENCE_N].")
    description: Text | None = None
    when: Condition
    then: list[Consequence] = Field(min_length=1)


class Sequence(_Model):
    """Checks tried in order where the first that holds concludes ("first yes wins").

    Compiled into ordinary rules (rules.sequence): check N holds when its own condition
    holds and every earlier check's condition is known not to hold.
    """

    id: Id
    description: Text | None = None
    when: Condition | None = Field(
        default=None, description="A condition every check of the sequence needs as well."
    )
    priority: int = 0
    first_of: list[Step] = Field(min_length=1, max_length=200)
    otherwise: list[Consequence] | None = Field(
        default=None, description="What applies when every check is known not to hold."
    )


IntakeText = Literal[
    "customer", "location", "equipment_type", "equipment_model", "equipment_serial"
]


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
    intake: list[IntakeText] | None = Field(
        default=None,
        description="The intake fields this pack's cases need besides service form, channel "
        "and complaint (omitted: all of them; [] for none).",
    )
    sequences: list[Sequence] = Field(
        default_factory=list,
        description="Ordered checks where the first that holds concludes; each becomes rules.",
    )
