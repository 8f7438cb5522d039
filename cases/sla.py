"""Service levels per form of service: the budgets a line may spend and the SLA clock.

Shipped defaults live in `cases/sla.yaml` (issue 5 owns the full SLA configuration).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.handoff import SlaClock, minutes_between
from engine.session import Budget
from rules.errors import InvalidInput
from rules.intake import SERVICE_FORMS

SLA_FILE = Path(__file__).resolve().parent / "sla.yaml"


class FormLevels(BaseModel):
    """The service levels of one form of service."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    resolve_hours: float = Field(gt=0)
    minutes: dict[int, float] = Field(default_factory=dict)
    questions: dict[int, int] = Field(default_factory=dict)
    escalation_cost: dict[int, float] = Field(default_factory=dict)


class ServiceLevels(BaseModel):
    """Every form of service, and the one used when the intake names none."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default_form: str
    forms: dict[str, FormLevels]

    def form(self, service_form: object) -> tuple[str, FormLevels]:
        name = str(service_form) if service_form in self.forms else self.default_form
        return name, self.forms[name]

    def budget(self, service_form: object, line: int) -> Budget:
        _, levels = self.form(service_form)
        return Budget(
            questions=levels.questions.get(line),
            minutes=levels.minutes.get(line),
            escalation_cost=levels.escalation_cost.get(line),
        )

    def clock(self, service_form: object, opened_at: str, at: str) -> SlaClock:
        """The SLA clock of a case: when it opened, its deadline and the time gone."""
        name, levels = self.form(service_form)
        deadline = datetime.fromisoformat(opened_at) + timedelta(hours=levels.resolve_hours)
        return SlaClock(
            service_form=name,
            opened_at=opened_at,
            deadline=deadline.isoformat(timespec="seconds"),
            resolve_hours=levels.resolve_hours,
            elapsed_minutes=minutes_between(opened_at, at),
        )


def load_service_levels(path: Path = SLA_FILE) -> ServiceLevels:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        levels = ServiceLevels.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError) as err:
        raise InvalidInput(f"cannot read service levels from {path}: {err}") from err
    missing = [f for f in SERVICE_FORMS if f not in levels.forms]
    if missing or levels.default_form not in levels.forms:
        raise InvalidInput(
            f"{path}: service levels miss forms {missing or [levels.default_form]}",
            hint="forms: " + ", ".join(SERVICE_FORMS),
        )
    return levels
