"""What a pack concludes and starts from: faults (and outcomes without a fix), and complaints."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from rules.schema_base import Id, LineNo, _Model
from rules.text import Text

ConclusionKind = Literal["fault", "information", "no_fault", "alternatives"]
Confirm = Literal["required", "optional", "none"]
WhenFailed = Literal["rule_out", "escalate"]


class Symptom(_Model):
    """A complaint the intake can start from (an entry point of the packs)."""

    id: Id
    title: Text
    help: Text | None = None


class Fault(_Model):
    """A conclusion: a known cause of trouble with the steps that fix it, or an outcome
    without a fix (information to give, no fault found, alternatives to choose from)."""

    id: Id
    title: Text
    kind: ConclusionKind = Field(
        default="fault",
        description="fault (default): fix steps in order; information: something to tell; "
        "no_fault: nothing needs repair; alternatives: 'fix' lists choices, not steps.",
    )
    fix: list[Text] = Field(
        default_factory=list,
        description="The steps that fix it, in order (a fault needs at least one); for "
        "alternatives, the choices offered (at least two).",
    )
    line: LineNo = Field(
        default=1,
        description="The lowest support line able to apply the fix (required for a fault; "
        "an outcome without a fix defaults to Line 1).",
    )
    prior: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="Prior likelihood among this pack's faults (omitted: an even share, "
        "1 / the number of the pack's faults).",
    )
    description: Text | None = None
    vendor: str | None = None
    confirm: Confirm | None = Field(
        default=None,
        description="Whether the session asks 'Did the fix work?': required (default for a "
        "fault), optional (it may stay unconfirmed), none (the session ends at the conclusion; "
        "the only choice for outcomes without a fix).",
    )
    when_failed: WhenFailed = Field(
        default="rule_out",
        description="What a 'no' to 'Did the fix work?' means: rule_out (the fault is ruled "
        "out and the diagnosis goes on) or escalate (ruled out, and the case goes up at once).",
    )
    advice: Text | None = Field(
        default=None,
        description="Shown at every line that reaches this conclusion, also one that must "
        "escalate it (e.g. a safety instruction for the customer).",
    )

    @field_validator("fix")
    @classmethod
    def _steps(cls, fix: list[Text], info: ValidationInfo) -> list[Text]:
        if info.data.get("kind", "fault") == "fault" and not fix:
            raise ValueError("a fault needs at least one step")
        return fix

    @model_validator(mode="after")
    def _shape(self) -> Fault:
        given = self.model_fields_set
        if self.kind == "fault":
            for key in ("fix", "line"):  # optional only for outcomes without a fix
                if key not in given:
                    raise ValueError(f"missing required key '{key}'")
        elif self.kind == "alternatives":
            if len(self.fix) < 2:
                raise ValueError("'alternatives' needs 'fix' with at least two choices")
        elif self.fix:
            raise ValueError(
                f"a conclusion of kind '{self.kind}' has no 'fix' (say it in 'description')"
            )
        if self.kind != "fault" and self.confirm not in (None, "none"):
            raise ValueError(
                f"a conclusion of kind '{self.kind}' has nothing to confirm: "
                "omit 'confirm' (or write 'none')"
            )
        if "when_failed" in given and self.confirming == "none":
            raise ValueError("'when_failed' needs a fix that is confirmed ('confirm' not none)")
        return self

    @property
    def confirming(self) -> Confirm:
        """The confirmation in use: the given one, else required for a fault, none otherwise."""
        if self.confirm is not None:
            return self.confirm
        return "required" if self.kind == "fault" else "none"

    @property
    def likelihood(self) -> float:
        """The prior in use: the given one, else the even share the knowledge base fills in."""
        return self.prior if self.prior is not None else 1.0
