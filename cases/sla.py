"""Service levels per form of service: SLA targets, the budgets a line may spend, the clock.

One configuration (`cases/sla.yaml`, shipped defaults) holds both the SLA targets per
form of service and line (first response, resolution) and the budgets the guided
session spends (minutes, questions, escalation cost). A user file (`--sla FILE` or
$LINEWISE_SLA) is merged onto the defaults key by key; its mistakes are reported
with file:line:col like a pack's.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rules.errors import InputError, explain_empty
from rules.intake import SERVICE_FORMS
from rules.loader import pydantic_diagnostics
from rules.schema import LineNo
from rules.source import DataFileError, read_data_file

if TYPE_CHECKING:  # the engine (experta) loads only when a budget or clock is needed:
    from engine.handoff import SlaClock  # reading a stored case must start fast
    from engine.session import Budget

SLA_FILE = Path(__file__).resolve().parent / "sla.yaml"
ENV_SLA = "LINEWISE_SLA"
Hours = float


class FormLevels(BaseModel):
    """The service levels of one form of service; every mapping is keyed by support line."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    first_response: dict[LineNo, float] = Field(
        default_factory=dict, description="Hours from reaching a line to its first response."
    )
    resolution: dict[LineNo, float] = Field(
        description="Hours from opening to resolution, by the resolving line (vendor waits paused)."
    )
    minutes: dict[LineNo, float] = Field(default_factory=dict)
    questions: dict[LineNo, int] = Field(default_factory=dict)
    escalation_cost: dict[LineNo, float] = Field(default_factory=dict)
    attainment: float = Field(
        default=0.9,
        ge=0,
        le=1,
        description="The share of cases that must meet the targets (the SLA chart's target line).",
    )

    @model_validator(mode="after")
    def _positive(self) -> FormLevels:
        for name in ("first_response", "resolution", "minutes", "questions", "escalation_cost"):
            for line, value in getattr(self, name).items():
                if value <= 0:
                    raise ValueError(f"{name} for Line {line} must be positive, not {value}")
        if not self.resolution:
            raise ValueError("'resolution' needs a target for at least one line")
        return self

    @property
    def resolve_hours(self) -> float:
        """The resolution target of the highest line: the deadline a vendor case carries."""
        return self.resolution[max(self.resolution)]


class ServiceLevels(BaseModel):
    """Every form of service, and the one used when the intake names none."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default_form: str
    forms: dict[str, FormLevels]

    @model_validator(mode="after")
    def _complete(self) -> ServiceLevels:
        unknown = sorted(set(self.forms) - set(SERVICE_FORMS))
        if unknown:
            raise ValueError(
                f"unknown form of service {unknown[0]!r} (forms: {', '.join(SERVICE_FORMS)})"
            )
        missing = [f for f in SERVICE_FORMS if f not in self.forms]
        if missing:
            raise ValueError(f"no service levels for {', '.join(missing)}")
        if self.default_form not in self.forms:
            raise ValueError(f"default_form {self.default_form!r} is not a form of service")
        return self

    def form(self, service_form: object) -> tuple[str, FormLevels]:
        name = str(service_form) if service_form in self.forms else self.default_form
        return name, self.forms[name]

    def budget(self, service_form: object, line: int) -> Budget:
        from engine.session import Budget

        _, levels = self.form(service_form)
        return Budget(
            questions=levels.questions.get(line),
            minutes=levels.minutes.get(line),
            escalation_cost=levels.escalation_cost.get(line),
        )

    def budgets(self) -> dict[str, dict[int, Budget]]:
        """Every form's budget on every line (what `pack check` holds faults to, W114)."""
        return {
            form: {line: self.budget(form, line) for line in range(1, 5)} for form in self.forms
        }

    def first_response(self, service_form: object, line: int) -> Hours | None:
        return self.form(service_form)[1].first_response.get(line)

    def resolution(self, service_form: object, line: int) -> Hours | None:
        return self.form(service_form)[1].resolution.get(line)

    def clock(self, service_form: object, opened_at: str, at: str) -> SlaClock:
        """The SLA clock of a case: when it opened, its deadline and the time gone."""
        from engine.handoff import SlaClock, minutes_between

        name, levels = self.form(service_form)
        deadline = datetime.fromisoformat(opened_at) + timedelta(hours=levels.resolve_hours)
        return SlaClock(
            service_form=name,
            opened_at=opened_at,
            deadline=deadline.isoformat(timespec="seconds"),
            resolve_hours=levels.resolve_hours,
            elapsed_minutes=minutes_between(opened_at, at),
        )


def merged(base: Any, override: Any) -> Any:
    """`override` merged onto `base`, mapping by mapping (other values replace)."""
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            out[key] = merged(base[key], value) if key in base else value
        return out
    return override


def load_service_levels(path: Path | None = None) -> ServiceLevels:
    """The shipped defaults, with `path` (else $LINEWISE_SLA, if set) merged onto them."""
    defaults, _ = read_data_file(SLA_FILE)
    user = path or (Path(os.environ[ENV_SLA]) if os.environ.get(ENV_SLA) else None)
    if user is None:
        return ServiceLevels.model_validate(defaults)
    try:
        data, smap = read_data_file(user)
    except DataFileError as err:
        hint = "service levels are a YAML mapping (see cases/sla.yaml)"
        raise InputError(explain_empty(err.diagnostics, hint)) from err
    if not isinstance(data, dict):
        raise InputError([smap.diagnostic((), "service levels must be a mapping")])
    try:
        return ServiceLevels.model_validate(merged(defaults, data))
    except ValidationError as err:
        raise InputError(pydantic_diagnostics(err, smap, ServiceLevels)) from err
