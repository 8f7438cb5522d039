"""The learned overlay's gates: unpublished it changes nothing, published sessions weigh
faults with it (and WHY says so), `pack diff` shows an overlay that makes things worse."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cases.desk import Desk
from cases.learn import History
from cases.learn_estimate import estimate, overlay_text
from cases.memstore import MemoryStore
from cases.overlays import published_overlay, published_weights, withdraw_overlay
from cases.store import open_store
from cli.main import cli
from cli.options import terminal_desk
from engine.session import Ask
from engine.weights import weights_from
from present.explain import why_document
from rules.knowledge import KnowledgeBase
from rules.overlay import QuestionEstimate, overlay_for

COMPLAINT = "wired_no_network"
RARE = "wired_adapter_disabled"  # a fault the pack thinks rare, made the usual cause


def _overlay(kb: KnowledgeBase, folder: Path, version: str = "1.0.0") -> Path:
    history = History(causes={(COMPLAINT, "", RARE): 90, (COMPLAINT, "", "wired_dhcp_lease"): 10})
    path = folder / f"learned-{version}.yaml"
    path.write_text(overlay_text(estimate(kb, history, version=version, store="test")))
    return path


def _intake() -> dict[str, str]:
    return {"complaint": COMPLAINT, "service_form": "paid", "channel": "phone"}


def test_an_unpublished_overlay_changes_nothing_and_a_published_one_is_used(
    shipped_kb: KnowledgeBase, tmp_path: Path, store_url: str
) -> None:
    path = _overlay(shipped_kb, tmp_path)
    store = open_store(store_url)
    try:
        assert published_weights(store, shipped_kb) is None
        assert terminal_desk(shipped_kb, store_url, threshold=0.7, lang="en").weights is None
        runner = CliRunner()
        result = runner.invoke(cli, ["pack", "publish", str(path), "--store", store_url])
        assert result.exit_code == 0, result.output
        assert "published learned overlay 1.0.0" in result.output
        weights = published_weights(store, shipped_kb)
        assert weights is not None and weights.version == "1.0.0"
        desk = terminal_desk(shipped_kb, store_url, threshold=0.7, lang="en")
        assert desk.weights is not None and desk.knowledge(1).weights is desk.weights
        again = runner.invoke(cli, ["pack", "publish", str(path), "--store", store_url])
        assert again.exit_code == 1 and "never changes" in again.output
        newer = _overlay(shipped_kb, tmp_path, "1.1.0")
        result = runner.invoke(cli, ["pack", "publish", str(newer), "--store", store_url])
        assert result.exit_code == 0 and "replacing 1.0.0" in result.output
        current = published_overlay(store)
        assert current is not None and current.version == "1.1.0"
        assert withdraw_overlay(store) == "1.1.0"
        assert published_weights(store, shipped_kb) is None
    finally:
        store.close()


def _first_ask(desk: Desk) -> Ask:
    live = desk.open(_intake())
    step = live.session.step()
    assert isinstance(step, Ask)
    return step


def test_sessions_weigh_faults_by_history_and_why_says_so(
    shipped_kb: KnowledgeBase, tmp_path: Path
) -> None:
    weights = weights_from(overlay_for(_overlay(shipped_kb, tmp_path), shipped_kb), shipped_kb)
    plain = Desk(MemoryStore(), shipped_kb)
    learned = Desk(MemoryStore(), shipped_kb, weights=weights)
    before = {h.id: h.probability for h in _first_ask(plain).choice.hypotheses}
    after = {h.id: h.probability for h in _first_ask(learned).choice.hypotheses}
    assert after[RARE] > before[RARE]
    live = learned.open(_intake())
    step = live.session.step()
    assert isinstance(step, Ask)
    data = live.session.why()
    assert data is not None and data["history"][RARE] == {"cases": 90, "of": 100}
    assert "history" not in (plain.open(_intake()).session.why() or {})
    for lang, words in (
        ("en", "this fault was the cause in 90 of 100 similar cases"),
        ("ru", "эта неисправность была причиной в 90 из 100 похожих случаев"),
    ):
        live.session.lang = lang
        document = why_document(live.session, step.question.id)
        texts = [item.text for section in document.sections for item in section.items]
        assert any(words in text for text in texts), texts


@pytest.mark.slow
def test_pack_diff_shows_an_overlay_that_makes_things_worse(
    shipped_kb: KnowledgeBase, tmp_path: Path
) -> None:
    """Question times learned wrong (every question 'takes' 80 hours): the policy finds no
    question worth asking and escalates, so fewer outcomes are reached at Line 1."""
    good = overlay_for(_overlay(shipped_kb, tmp_path), shipped_kb)
    slow = {
        q: QuestionEstimate(asked=100, pack_minutes=float(question.cost), minutes=4800.0)
        for q, question in shipped_kb.questions.items()
    }
    bad = tmp_path / "bad.yaml"
    bad.write_text(overlay_text(good.model_copy(update={"questions": slow})))
    result = CliRunner().invoke(cli, ["pack", "diff", "-", str(bad)])
    assert result.exit_code == 0, result.output
    assert "golden cases at Line 1: WORSE" in result.output
    as_json = CliRunner().invoke(cli, ["pack", "diff", "-", str(bad), "--json"])
    import json

    replay = json.loads(as_json.output)["replay"]["golden"]
    assert replay["verdict"] == "worse"
    assert replay["new"]["outcomes_reached"] < replay["old"]["outcomes_reached"]
