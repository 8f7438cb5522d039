"""The intake fields every case starts with; rules may test them as `intake: FIELD`."""

from __future__ import annotations

from dataclasses import dataclass

from rules.schema import AnswerType


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
