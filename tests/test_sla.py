"""Service levels: shipped defaults, a user file merged onto them, positional errors, the clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from cases.sla import ENV_SLA, load_service_levels
from cases.timeline import timeline
from rules.errors import InputError
from tests.history import Builder


def test_shipped_levels_cover_every_form_and_line() -> None:
    levels = load_service_levels()
    for form in ("warranty", "paid", "premium", "self_service"):
        for line in (1, 2, 3, 4):
            assert levels.first_response(form, line) is not None
            assert levels.resolution(form, line) is not None
            assert levels.budget(form, line).minutes is not None
    assert levels.resolution("premium", 1) < levels.resolution("paid", 1)  # type: ignore[operator]
    assert levels.form("nonsense")[0] == levels.default_form


def test_a_user_file_overrides_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "sla.yaml"
    path.write_text("forms:\n  premium:\n    first_response: {1: 0.1}\n", encoding="utf-8")
    levels = load_service_levels(path)
    shipped = load_service_levels()
    assert levels.first_response("premium", 1) == 0.1
    assert levels.first_response("premium", 2) == shipped.first_response("premium", 2)
    assert levels.resolution("paid", 1) == shipped.resolution("paid", 1)


def test_the_environment_names_the_user_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "sla.yaml"
    path.write_text("default_form: premium\n", encoding="utf-8")
    monkeypatch.setenv(ENV_SLA, str(path))
    assert load_service_levels().default_form == "premium"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "forms:\n  premium:\n    resolutoin: {1: 3}\n",
            "sla.yaml:3:5: forms.premium.resolutoin: unknown key 'resolutoin'",
        ),
        (
            "forms:\n  premium:\n    first_response: {1: -1}\n",
            "sla.yaml:3:5: forms.premium: first_response for Line 1 must be positive",
        ),
        ("forms:\n  gold:\n    resolution: {1: 3}\n", "unknown form of service 'gold'"),
        (
            "forms:\n  paid:\n    first_response: {7: 1}\n",
            "sla.yaml:3:25: forms.paid.first_response.7.[key]: Input should be less than or equal",
        ),
    ],
)
def test_mistakes_are_reported_with_their_position(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "sla.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_service_levels(path)
    assert expected in caught.value.render()


def test_the_clock_pauses_while_waiting_on_the_vendor() -> None:
    case = Builder({"service_form": "warranty", "complaint": "wired_no_network"})
    case.start(10, 1).escalate(20, 1, 4, "rule").start(60, 4)
    case.add(60, 4, "waiting", data={"on": "vendor"}).add(60 + 48 * 60, 4, "waiting_over")
    case.add(60 + 48 * 60 + 30, 4, "fix_worked", fault="wired_switch_outage")
    from cases.model import Case

    intake, events = case.case()
    item = timeline(Case(id="C-000001", opened_at=events[0].at, intake=intake, events=events))
    assert item.paused_hours == 48.0
    assert item.resolve_hours == 1.5
    assert item.resolved_line == 4 and item.questions == 0
    levels = load_service_levels()
    assert item.resolution(levels, item.end) == "met"
    assert item.first_response(levels, item.end) == ["met", "met"]
