"""Shared pieces of the pack language: id and version shapes and the strict base model.

Every model forbids unknown keys, so that a misspelt key is an error and never
silently ignored.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

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


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False, defer_build=True
    )
