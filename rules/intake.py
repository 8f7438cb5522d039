"""The intake fields every case starts with; rules may test them as `intake: FIELD`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the pack models take a tenth of a second to import: `case list` needs none
    from rules.schema import AnswerType, Pack


@dataclass(frozen=True)
class IntakeField:
    """One field of the intake form."""

    id: str
    type: AnswerType
    options: tuple[str, ...] = ()
    text: str = ""


SERVICE_FORMS: tuple[str, ...] = ("warranty", "paid", "premium", "self_service")
CHANNELS: tuple[str, ...] = ("phone", "email", "chat", "remote", "on_site")

INTAKE_FIELDS: dict[str, IntakeField] = {
    f.id: f
    for f in (
        IntakeField("customer", "text", text="Who the customer is"),
        IntakeField("location", "text", text="Where the customer and the equipment are"),
        IntakeField("equipment_type", "text", text="Kind of equipment (laptop, printer, ...)"),
        IntakeField("equipment_model", "text", text="Make and model"),
        IntakeField("equipment_serial", "text", text="Serial number or asset id"),
        IntakeField("service_form", "choice", SERVICE_FORMS, "Form of service"),
        IntakeField("channel", "choice", CHANNELS, "How the request arrived"),
        IntakeField("complaint", "choice", (), "The symptom entry point the packs declare"),
    )
}

# the free-text fields a pack may say it needs (`intake:`); the rest are always asked
TEXT_FIELDS: tuple[str, ...] = (
    "customer",
    "location",
    "equipment_type",
    "equipment_model",
    "equipment_serial",
)


def needed_fields(packs: Iterable[Pack]) -> tuple[str, ...]:
    """The free-text intake fields that the packs need, in form order: each pack's
    `intake:` list (a pack without one needs them all; no packs: all of them), so that
    knowledge from another domain does not make the agent invent equipment details."""
    wanted: set[str] = set()
    seen = False
    for pack in packs:
        seen = True
        wanted.update(TEXT_FIELDS if pack.intake is None else pack.intake)
    return tuple(f for f in TEXT_FIELDS if f in wanted or not seen)
