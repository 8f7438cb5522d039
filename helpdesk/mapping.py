"""The helpdesk mapping file: which queues, groups, fields and complaints correspond.

A mapping is YAML validated like a pack: every problem is reported at file:line:col with
the key and a did-you-mean. Credentials never live in it; it names the environment
variable that holds them (`token_env`, `secret_env`), so the file can be committed.

    helpdesk: rt                       # rt | zammad | glpi
    url: http://rt.example.com         # the helpdesk's base address (rt)
    token_env: LINEWISE_RT_TOKEN       # API token for writing back (rt)
    secret_env: LINEWISE_HOOK_SECRET   # shared webhook secret (zammad, glpi)
    agent: linewise                    # the helpdesk user linewise writes as
    case_url: https://linewise.example.com/console/cases/{case}
    intake: {customer: requestor, equipment_serial: "CF.Asset tag"}
    queues:                            # queue, group or category -> complaint
      Network: {complaint: wired_no_network, service_form: warranty}
    lines: {1: Line 1, 2: Line 2, 3: Line 3, 4: Vendor}
    fields: {fault: linewise fault, packs: linewise packs, case: linewise case}
    statuses: {waiting: stalled, resumed: open, resolved: resolved}
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from rules.errors import (
    EMPTY_FILE,
    Diagnostic,
    InputError,
    LinewiseError,
    did_you_mean,
    explain_empty,
)
from rules.intake import INTAKE_FIELDS, SERVICE_FORMS
from rules.knowledge import KnowledgeBase
from rules.loader import pydantic_diagnostics
from rules.source import DataFileError, SourceMap, read_data_file

HELPDESKS = ("rt", "zammad", "glpi")
# Ticket fields the connectors read; `CF.<name>` names a custom field (RT) or attribute.
TICKET_FIELDS = ("requestor", "subject", "queue", "owner", "location", "serial", "model")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QueueMap(_Strict):
    """What a ticket in one queue (group, category) becomes: its complaint, and optionally
    its form of service when the helpdesk does not carry one."""

    complaint: str
    service_form: str | None = None
    line: int = Field(default=1, ge=1, le=4)

    @field_validator("service_form")
    @classmethod
    def _form(cls, value: str | None) -> str | None:
        if value is not None and value not in SERVICE_FORMS:
            raise ValueError(f"'{value}' is not a form of service ({', '.join(SERVICE_FORMS)})")
        return value


class Fields(_Strict):
    """The helpdesk's custom fields linewise fills on resolution."""

    fault: str | None = None
    packs: str | None = None
    case: str | None = None


class Statuses(_Strict):
    """The helpdesk's own status names for what happens to a case."""

    waiting: str = "stalled"  # a Line 4 wait on the vendor: the helpdesk's SLA clock pauses
    resumed: str = "open"
    resolved: str = "resolved"


class Mapping(_Strict):
    """One helpdesk's correspondence with linewise."""

    helpdesk: Literal["rt", "zammad", "glpi"]
    url: str | None = None
    token_env: str | None = None
    secret_env: str | None = None
    agent: str = "linewise"
    lang: Literal["en", "ru"] = "en"
    case_url: str | None = None
    channel: Literal["phone", "email", "chat", "remote", "on_site"] = "email"
    service_form: str = "warranty"
    intake: dict[str, str] = Field(default_factory=dict)
    queues: dict[str, QueueMap] = Field(default_factory=dict)
    lines: dict[int, str] = Field(default_factory=dict)
    fields: Fields = Field(default_factory=Fields)
    statuses: Statuses = Field(default_factory=Statuses)
    poll_queues: list[str] = Field(default_factory=list)

    @field_validator("intake")
    @classmethod
    def _intake(cls, value: dict[str, str]) -> dict[str, str]:
        for name, source in value.items():
            if name not in INTAKE_FIELDS or name == "complaint":
                known = sorted(set(INTAKE_FIELDS) - {"complaint"})
                raise ValueError(f"'{name}' is not an intake field ({', '.join(known)})")
            if source not in TICKET_FIELDS and not source.startswith("CF."):
                raise ValueError(
                    f"'{source}' is not a ticket field ({', '.join(TICKET_FIELDS)}, or CF.<name>)"
                )
        return value

    @field_validator("lines")
    @classmethod
    def _lines(cls, value: dict[int, str]) -> dict[int, str]:
        for line in value:
            if not 1 <= line <= 4:
                raise ValueError(f"support line {line} does not exist (lines are 1 to 4)")
        return value

    @field_validator("service_form")
    @classmethod
    def _form(cls, value: str) -> str:
        if value not in SERVICE_FORMS:
            raise ValueError(f"'{value}' is not a form of service ({', '.join(SERVICE_FORMS)})")
        return value

    def token(self) -> str:
        """The API token from the environment variable the mapping names."""
        return _secret(self.token_env, "token_env", "the helpdesk's API token")

    def secret(self) -> str:
        """The shared webhook secret from the environment variable the mapping names."""
        return _secret(self.secret_env, "secret_env", "the webhook's shared secret")

    def link(self, case_id: str) -> str | None:
        return self.case_url.replace("{case}", case_id) if self.case_url else None


class MappingError(LinewiseError):
    """The mapping cannot be used as it is (a missing secret, an unmapped line)."""

    exit_code = 2


def _secret(variable: str | None, key: str, what: str) -> str:
    if not variable:
        raise MappingError(
            f"the helpdesk mapping names no '{key}'",
            hint=f"add '{key}: VARIABLE' and put {what} in that environment variable",
        )
    value = os.environ.get(variable, "")
    if not value:
        raise MappingError(
            f"${variable} is not set ({what})",
            hint=f"export {variable}=... before starting linewise; it is never printed",
        )
    return value


def load_mapping(path: Path, kb: KnowledgeBase | None = None) -> Mapping:
    """Read and validate a mapping file; with `kb`, its complaints must exist there."""
    try:
        data, smap = read_data_file(path)
    except DataFileError as err:
        raise InputError(explain_empty(err.diagnostics, "a mapping is a YAML mapping")) from err
    if not isinstance(data, dict):
        raise InputError(
            [smap.diagnostic((), "a helpdesk mapping must be a YAML mapping", hint=EMPTY_FILE)]
        )
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as err:
        raise InputError(pydantic_diagnostics(err, smap, Mapping)) from err
    problems = _complaints(mapping, smap, kb) if kb is not None else []
    if mapping.helpdesk == "rt" and not mapping.url:
        problems.append(smap.diagnostic((), "an RT mapping needs 'url: http://...'", code="E003"))
    if problems:
        raise InputError(problems)
    return mapping


def _complaints(mapping: Mapping, smap: SourceMap, kb: KnowledgeBase) -> list[Diagnostic]:
    known = sorted(kb.symptoms)
    out = []
    for queue, entry in mapping.queues.items():
        if entry.complaint not in kb.symptoms:
            out.append(
                smap.diagnostic(
                    ("queues", queue, "complaint"),
                    f"unknown complaint '{entry.complaint}'",
                    hint=did_you_mean(entry.complaint, known) or "see 'linewise lines'",
                    code="E005",
                )
            )
    return out
