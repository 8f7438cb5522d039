"""What a pack asks: questions, their options, and the facts rules derive."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, field_validator, model_validator

from rules.schema_base import AnswerType, Id, _Model
from rules.text import Text

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
    next: Id | list[Id] | None = Field(
        default=None,
        description="A procedure step: after this answer, ask this question next (while it "
        "can still change the outcome; of a list, the first that can); it comes before "
        "`order` and the priced choice.",
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
    next: dict[str, Id | list[Id]] = Field(
        default_factory=dict,
        description="A procedure written as links: answer -> the question asked next after "
        "it, or a list of questions of which the first that still matters is asked (yes/no "
        "and choice questions; for a choice, `next:` on the option says the same).",
    )
    after: list[Id] = Field(
        default_factory=list, description="Questions that must be settled before this one is asked."
    )
    actions: list[Id] = Field(
        default_factory=list,
        description="What answering it does to the equipment, named freely (e.g. open_case, "
        "factory_reset): an escalation that `forbids` one of them must not need its answer "
        "(pack check W113).",
    )

    @field_validator("next", mode="before")
    @classmethod
    def _answer_keys(cls, value: Any) -> Any:
        """YAML reads `yes:`/`no:` and menu numbers as booleans and integers."""
        if not isinstance(value, dict):
            return value
        shown: dict[Any, str] = {True: "yes", False: "no", "True": "yes", "False": "no"}
        return {
            (shown[k] if isinstance(k, bool) or k in shown else str(k)): v for k, v in value.items()
        }

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
        self._check_next()
        return self

    def _check_next(self) -> None:
        if not self.next:
            return
        if self.type not in ("yesno", "choice"):
            raise ValueError(f"'next' is only for yes/no and choice questions, not {self.type}")
        answers = ["yes", "no"] if self.type == "yesno" else [o.value for o in self.options or ()]
        for answer in self.next:
            if answer not in answers:
                raise ValueError(
                    f"'next' names the answer '{answer}', which this question does not have "
                    f"(its answers: {', '.join(answers)})"
                )
        both = [o.value for o in self.options or () if o.next is not None and o.value in self.next]
        if both:
            raise ValueError(
                f"the next step after answer '{both[0]}' is given twice (in 'next' and on "
                "the option): keep one"
            )


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
