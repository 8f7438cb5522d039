"""What a pack concludes and starts from: faults with their fixes, and complaints."""

from __future__ import annotations

from pydantic import Field

from rules.schema_base import Id, LineNo, _Model
from rules.text import Text


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
