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
    actions: list[Id] = Field(
        default_factory=list,
        description="What answering it does to the equipment, named freely (e.g. open_case, "
        "factory_reset): an escalation that `forbids` one of them must not need its answer "
        "(pack check W113).",
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
