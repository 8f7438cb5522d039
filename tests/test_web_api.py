"""The JSON API: every endpoint, its bad inputs and its role checks (httpx against the app)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import cases.database
from tests.webapp import Web, answer_for, golden, web_app

WIRED = {"complaint": "wired_no_network", "service_form": "paid", "channel": "phone"}


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    with web_app(tmp_path_factory.mktemp("web")) as app:
        yield app


def run_to_end(web: Web, view: dict[str, Any], answers: dict[str, Any], who: str = "anna") -> Any:
    """Answer each question from `answers` (unknown otherwise) until a fix or escalation."""
    case = view["case"]
    for _ in range(40):
        if view["kind"] != "ask":
            return view
        question = view["question"]["ref"]
        response = web.api(
            "POST",
            f"/api/cases/{case}/answer",
            who,
            json={
                "step": view["step"],
                "question": question,
                "value": answer_for(answers, question),
            },
        )
        assert response.status_code == 200, response.text
        view = response.json()
    raise AssertionError("the session did not end")


def test_golden_case_runs_to_its_fix_over_http(web: Web) -> None:
    data = golden("network-wired/wired-cable-faulty.yaml")
    view = web.open(data["intake"])
    assert view["kind"] == "ask" and view["question"]["text"]
    view = run_to_end(web, view, data["answers"])
    assert view["kind"] == "fix" and view["fix"]["ref"] == data["expect"]["fault"]
    assert view["fix"]["steps"] and view["fix"]["title"] and view["fix"]["prompt"]
    done = web.api(
        "POST",
        f"/api/cases/{view['case']}/fix",
        json={"step": view["step"], "fault": view["fix"]["ref"], "worked": True, "note": "ok"},
    )
    assert done.status_code == 200, done.text
    assert done.json()["kind"] == "done" and done.json()["status"] == "resolved"
    transcript = web.api("GET", f"/api/cases/{view['case']}/transcript").json()
    kinds = [e["kind"] for e in transcript["events"]]
    assert kinds[:2] == ["opened", "session_started"] and kinds[-1] == "fix_worked"
    assert transcript["events"][-1]["data"] == {"note": "ok"}


def test_failed_fix_rules_the_fault_out_and_goes_on(web: Web) -> None:
    data = golden("network-wired/wired-cable-faulty.yaml")
    view = run_to_end(web, web.open(data["intake"]), data["answers"])
    after = web.api(
        "POST",
        f"/api/cases/{view['case']}/fix",
        json={"step": view["step"], "fault": view["fix"]["ref"], "worked": False},
    ).json()
    assert after["kind"] in ("ask", "fix", "escalate") and after.get("fault") != view["fix"]["ref"]
    how = web.api("GET", f"/api/cases/{view['case']}/how").json()
    assert view["fix"]["ref"] in how["data"]["ruled_out"]


def test_escalation_with_a_note_reaches_line2_with_the_handoff(web: Web) -> None:
    view = web.open(WIRED)
    response = web.api(
        "POST",
        f"/api/cases/{view['case']}/escalate",
        json={"step": view["step"], "note": "customer on a deadline"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["handoff"]["notes"][-1]["text"] == "customer on a deadline"
    assert body["view"]["kind"] == "handoff" and body["view"]["line"] == 2
    queue = web.api("GET", "/api/queues/2", "boris").json()
    assert view["case"] in [item["id"] for item in queue["escalated"]]
    # Line 1 may not pick it up; Line 2 may
    assert web.api("POST", f"/api/cases/{view['case']}/resume", "anna", json={}).status_code == 403
    picked = web.api("POST", f"/api/cases/{view['case']}/resume", "boris", json={})
    assert picked.status_code == 200, picked.text
    assert picked.json()["line"] == 2 and picked.json()["status"] == "open"
    assert picked.json()["handoff"]["notes"][-1]["text"] == "customer on a deadline"


def test_back_and_unknown(web: Web) -> None:
    view = web.open(WIRED)
    first = view["question"]["ref"]
    unknown = web.api(
        "POST",
        f"/api/cases/{view['case']}/unknown",
        json={"step": view["step"], "question": first},
    ).json()
    assert unknown["question"]["ref"] != first
    back = web.api("POST", f"/api/cases/{view['case']}/back", json={"step": unknown["step"]})
    assert back.status_code == 200 and back.json()["question"]["ref"] == first


def test_why_how_whynot(web: Web) -> None:
    view = web.open(WIRED)
    case = view["case"]
    why = web.api("GET", f"/api/cases/{case}/why").json()
    assert why["data"]["question"] == view["question"]["ref"] and why["data"]["because"]
    assert why["view"]["kind"] == "why" and why["view"]["title"]
    how = web.api("GET", f"/api/cases/{case}/how").json()
    assert "facts" in how["data"] and how["view"]["kind"] == "how"
    whynot = web.api("GET", f"/api/cases/{case}/whynot", params={"fault": "wired_cable_faulty"})
    assert whynot.status_code == 200 and whynot.json()["data"]["fault"] == "wired_cable_faulty"
    assert "wired_cable_faulty" not in whynot.json()["view"]["title"]  # titles, not ids
    by_words = web.api("GET", f"/api/cases/{case}/whynot", params={"fault": "faulty network cable"})
    assert by_words.status_code == 200, by_words.text
    assert by_words.json()["data"]["fault"] == "wired_cable_faulty"
    several = web.api("GET", f"/api/cases/{case}/whynot", params={"fault": "cable"})
    assert several.status_code == 422 and "matches" in several.json()["message"]
    unknown = web.api("GET", f"/api/cases/{case}/whynot", params={"fault": "zzqx"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_id"


def test_stale_step_and_double_submit_are_refused_with_409(web: Web) -> None:
    view = web.open(WIRED)
    body = {"step": view["step"], "question": view["question"]["ref"], "value": "yes"}
    first = web.api("POST", f"/api/cases/{view['case']}/answer", json=body)
    assert first.status_code == 200
    again = web.api("POST", f"/api/cases/{view['case']}/answer", json=body)
    assert again.status_code == 409
    assert again.json()["code"] == "stale_step" and again.json()["field"] == "step"
    # a second tab that still shows the old question, with the new step number
    tab = dict(body, step=first.json()["step"])
    wrong = web.api("POST", f"/api/cases/{view['case']}/answer", json=tab)
    assert wrong.status_code == 409 and wrong.json()["field"] == "question"
    events = web.api("GET", f"/api/cases/{view['case']}/transcript").json()["events"]
    assert [e["kind"] for e in events].count("answer") == 1


def test_wrong_answer_type_is_422_and_stores_nothing(web: Web) -> None:
    view = web.open(WIRED)
    bad = web.api(
        "POST",
        f"/api/cases/{view['case']}/answer",
        json={"step": view["step"], "question": view["question"]["ref"], "value": "maybe"},
    )
    assert bad.status_code == 422 and bad.json()["code"] == "bad_input"
    assert "maybe" in bad.json()["message"]
    shape = web.api(
        "POST",
        f"/api/cases/{view['case']}/answer",
        json={"step": view["step"], "question": view["question"]["ref"], "value": [1, 2]},
    )
    assert shape.status_code == 422 and shape.json()["field"].startswith("value")
    now = web.api("GET", f"/api/cases/{view['case']}").json()
    assert now["step"] == view["step"]


def test_unknown_ids_are_404(web: Web) -> None:
    assert web.api("GET", "/api/cases/C-999999").status_code == 404
    missing = web.api("GET", "/api/cases/C-999999/transcript")
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_id"
    bad = web.api("POST", "/api/cases", json={"intake": {"complaint": "no_such_complaint"}})
    assert bad.status_code in (404, 422)
    assert set(bad.json()) == {"code", "message", "field", "hint"}
    assert web.api("GET", "/api/nothing-here").status_code == 404
    view = web.open(WIRED)
    typo = view["question"]["ref"][:-1]
    unknown_q = web.api(
        "POST",
        f"/api/cases/{view['case']}/answer",
        json={"step": view["step"], "question": typo, "value": "yes"},
    )
    assert unknown_q.status_code == 404 and unknown_q.json()["code"] == "unknown_id"
    assert view["question"]["ref"] in unknown_q.json()["hint"]  # did you mean ...?
    fault = web.api("GET", f"/api/cases/{view['case']}/whynot", params={"fault": "zzqx"})
    assert fault.status_code == 404 and fault.json()["code"] == "unknown_id"
    assert web.api("GET", f"/api/cases/{view['case']}").json()["step"] == view["step"]


def test_malformed_json_is_400(web: Web) -> None:
    response = web.client.post(
        "/api/cases",
        content=b'{"intake": {',
        headers={**web.auth("anna"), "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.json()["code"] == "malformed_json"


def test_a_10_mb_body_is_413(web: Web) -> None:
    response = web.client.post(
        "/api/cases",
        content=b"x" * (10 * 1024 * 1024),
        headers={**web.auth("anna"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_logins_and_roles(web: Web) -> None:
    assert web.client.get("/api/cases").status_code == 401
    forged = web.client.get("/api/cases", headers={"Authorization": "Bearer lw_forged"})
    assert forged.status_code == 401 and forged.json()["code"] == "login_required"
    assert web.api("GET", "/api/me", "mia").json()["lines"] == [1, 2, 3, 4]
    view = web.open(WIRED)
    step = {"step": view["step"], "question": view["question"]["ref"], "value": "yes"}
    for who in ("mia", "boris", "vera"):  # a manager reads; other lines do not answer Line 1
        assert web.api("GET", f"/api/cases/{view['case']}", who).status_code == 200
        refused = web.api("POST", f"/api/cases/{view['case']}/answer", who, json=step)
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert web.api("POST", "/api/cases", "mia", json={"intake": WIRED}).status_code == 403
    assert web.api("GET", "/api/queues/1", "boris").status_code == 403
    assert web.api("GET", "/api/queues/1", "mia").status_code == 200
    assert (
        web.api("POST", f"/api/cases/{view['case']}/answer", "root", json=step).status_code == 200
    )


def test_case_list_filters(web: Web) -> None:
    view = web.open({**WIRED, "service_form": "premium"})
    rows = web.api("GET", "/api/cases", params={"service_form": "premium"}).json()
    assert view["case"] in [r["summary"]["id"] for r in rows]
    assert all(r["service_form"] == "premium" for r in rows)
    mine = web.api("GET", "/api/cases", params={"agent": "anna", "line": 1}).json()
    assert view["case"] in [r["summary"]["id"] for r in mine]
    assert web.api("GET", "/api/cases", params={"agent": "nobody"}).json() == []
    assert web.api("GET", "/api/cases", params={"line": 9}).status_code == 422
    statuses = {r["summary"]["status"] for r in web.api("GET", "/api/cases?status=open").json()}
    assert statuses == {"open"}


def test_complaints_and_openapi(web: Web) -> None:
    complaints = web.api("GET", "/api/complaints").json()
    assert {"id": "wired_no_network", "line": 1}.items() <= next(
        c for c in complaints if c["id"] == "wired_no_network"
    ).items()
    schema = web.client.get("/openapi.json").json()
    for path in (
        "/api/cases",
        "/api/cases/{case_id}/answer",
        "/api/cases/{case_id}/escalate",
        "/api/cases/{case_id}/whynot",
        "/api/queues/{line}",
    ):
        assert path in schema["paths"], path
    assert "StepView" in schema["components"]["schemas"]


def test_health_and_readiness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with web_app(tmp_path) as web:
        assert web.client.get("/healthz").json() == {"status": "ok"}
        assert web.client.get("/readyz").status_code == 200
        store = web.client.app.state.services.desk.store  # type: ignore[attr-defined]

        def unreadable(limit: int | None = None) -> list[Any]:
            raise cases.store.StoreError("the case store is damaged", hint="move it aside")

        monkeypatch.setattr(store, "list_cases", unreadable)
        response = web.client.get("/readyz")
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
        assert web.client.get("/healthz").status_code == 200


def test_a_locked_store_is_503_with_retry_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cases.database, "BUSY_TIMEOUT_MS", 200)
    with web_app(tmp_path) as web:
        view = web.open(WIRED)
        holder = sqlite3.connect(str(tmp_path / "cases.sqlite3"), isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            response = web.api(
                "POST",
                f"/api/cases/{view['case']}/answer",
                json={"step": view["step"], "question": view["question"]["ref"], "value": "yes"},
            )
            assert response.status_code == 503, response.text
            assert response.headers["Retry-After"] == "5"
            assert response.json()["code"] == "store_unavailable"
            assert "Traceback" not in response.text
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        # nothing was lost: the same step can be answered now
        again = web.api(
            "POST",
            f"/api/cases/{view['case']}/answer",
            json={"step": view["step"], "question": view["question"]["ref"], "value": "yes"},
        )
        assert again.status_code == 200


def test_a_restarted_server_resumes_the_case_where_it_was(tmp_path: Path) -> None:
    with web_app(tmp_path) as web:
        view = web.open(WIRED)
        body = {"step": view["step"], "question": view["question"]["ref"], "value": "yes"}
        after = web.api("POST", f"/api/cases/{view['case']}/answer", json=body).json()
    with web_app(tmp_path) as web:  # a new process over the same store
        again = web.api("GET", f"/api/cases/{view['case']}").json()
        assert again["step"] == after["step"] and again["question"] == after["question"]


def test_two_workers_on_one_store_never_answer_from_a_stale_session(tmp_path: Path) -> None:
    """Each worker keeps recent live sessions; a change made by the other worker moves the
    case's step on, so the kept session is rebuilt, never reused."""
    with web_app(tmp_path) as first, web_app(tmp_path) as second:
        data = golden("network-wired/wired-cable-faulty.yaml")
        view = first.open(data["intake"])
        seen = []
        for turn in range(4):
            if view["kind"] != "ask":
                break
            web = first if turn % 2 else second
            ref = view["question"]["ref"]
            seen.append(ref)
            response = web.api(
                "POST",
                f"/api/cases/{view['case']}/answer",
                json={
                    "step": view["step"],
                    "question": ref,
                    "value": answer_for(data["answers"], ref),
                },
            )
            assert response.status_code == 200, response.text
            view = response.json()
            other = (second if web is first else first).api("GET", f"/api/cases/{view['case']}")
            assert other.json()["step"] == view["step"] and other.json()["kind"] == view["kind"]
        assert len(set(seen)) == len(seen)


def test_a_specialist_takes_a_case_up_at_their_line(web: Web) -> None:
    view = web.open(WIRED)
    first = view["question"]["ref"]
    view = web.api(
        "POST",
        f"/api/cases/{view['case']}/answer",
        json={"step": view["step"], "question": first, "value": "yes"},
    ).json()
    case = view["case"]
    resume = f"/api/cases/{case}/resume"
    # a Line 1 agent, or a Line 4 agent at Line 2, may not take it up there
    assert web.api("POST", resume, "anna", json={"line": 2}).status_code == 403
    assert web.api("POST", resume, "vera", json={"line": 2}).status_code == 403
    taken = web.api("POST", resume, "boris", json={"line": 2})
    assert taken.status_code == 200, taken.text
    body = taken.json()
    assert body["line"] == 2 and body["status"] == "open"
    assert body.get("question") is None or body["question"]["ref"] != first  # never re-asked
    events = web.api("GET", f"/api/cases/{case}/transcript", "boris").json()["events"]
    started = [e for e in events if e["kind"] == "session_started"]
    assert [e["line"] for e in started] == [1, 2]
    assert started[-1]["data"]["taken_from_line"] == 1 and started[-1]["agent"] == "boris"
    # a case never goes down a line; the line is checked as a field
    down = web.api("POST", resume, "root", json={"line": 1})
    assert down.status_code == 422 and "cannot be taken back to Line 1" in down.json()["message"]
    assert web.api("POST", resume, "boris", json={"line": 7}).status_code == 422
    assert (
        web.api("POST", "/api/cases/C-999999/resume", "boris", json={"line": 2}).status_code == 404
    )


def test_a_kept_session_gone_stale_is_refused_when_stored(tmp_path: Path) -> None:
    """Worker one keeps the case at step N; worker two answers at step N; a tab still at
    step N sent to worker one is refused (409) by the store's own check, nothing stored,
    and worker one then works from the stored case."""
    with web_app(tmp_path) as first, web_app(tmp_path) as second:
        view = first.open(WIRED)
        case, ref, step = view["case"], view["question"]["ref"], view["step"]
        body = {"step": step, "question": ref, "value": "yes"}
        moved = second.api("POST", f"/api/cases/{case}/answer", json=body)
        assert moved.status_code == 200, moved.text
        stale = first.api("POST", f"/api/cases/{case}/answer", json={**body, "value": "no"})
        assert stale.status_code == 409 and stale.json()["code"] == "stale_step", stale.text
        events = first.api("GET", f"/api/cases/{case}/transcript").json()["events"]
        assert [e["value"] for e in events if e["kind"] == "answer"] == [True]
        now = moved.json()
        if now["kind"] == "ask":
            following = {"step": now["step"], "question": now["question"]["ref"], "value": "no"}
            went_on = first.api("POST", f"/api/cases/{case}/answer", json=following)
            assert went_on.status_code == 200, went_on.text
