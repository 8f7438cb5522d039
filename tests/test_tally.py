"""`report` in SQL (cases.tally) equals the Python reference (cases.metrics) on both backends.

A simulated history (bulk-written) plus hand-built cases written event by event (so the
digest is folded append by append: vendor waits, a portal case, re-asks, failed fixes),
under several filters and a fixed or latest `as_of`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from cases.metrics import Filters, report
from cases.selfservice import CUSTOMER
from cases.simulate import simulate
from cases.sla import load_service_levels
from cases.store import SQLStore, open_store
from cases.tally import tally
from cli.options import load_all
from tests.history import Builder
from tests.test_metrics import _history


def _portal_case() -> Builder:
    p = Builder({"complaint": "wired_no_network", "channel": "web"})
    p.add(1, 1, "session_started", data={"agent": CUSTOMER, "packs": {}})
    p.answer(2, 1, "wired_cable_seated", True).answer(3, 1, "wired_link_light", False)
    p.escalate(5, 1, 1, "self_service")
    p.start(30, 1).answer(31, 1, "wired_link_light", False)
    p.add(40, 1, "fix_failed", fault="wired_cable_faulty", reason="did not help")
    p.add(50, 1, "back", question="wired_link_light")
    return p


def _append_each(store: SQLStore, built: list[Builder]) -> None:
    """Write cases the way live sessions do: create, then one append per event."""
    for b in built:
        ident = store.create(b.intake, b.events[0].at)
        for event in b.events[1:]:
            store.append(ident, event)


@pytest.fixture(scope="module")
def kb() -> Any:
    return load_all(())


def test_sql_report_equals_the_python_reference(store_url: str, kb: Any) -> None:
    store = open_store(store_url)
    try:
        simulate(store, 60, seed=7, jobs=1)
        _append_each(store, [*_history(), _portal_case()])
        levels = load_service_levels()
        everything = list(store.iter_cases())
        sample = [
            (Filters(), None, None),
            (Filters(line=2), None, None),
            (Filters(service_form="premium", channel="phone"), None, None),
            (Filters(pack="network-wired"), False, None),
            (
                Filters(fault="wired_cable_faulty"),
                None,
                datetime.fromisoformat("2026-03-05T00:00:00+00:00"),
            ),
            (Filters(start=date(2026, 1, 1), end=date(2026, 3, 2)), True, None),
        ]
        for filters, simulated, as_of in sample:
            cases = [c for c in everything if simulated is None or c.simulated == simulated]
            expected = report(cases, levels, kb=kb, filters=filters, as_of=as_of)
            got = tally(store, levels, kb=kb, filters=filters, simulated=simulated, as_of=as_of)
            assert got == expected, filters
        whole = report(everything, levels, kb=kb)
        assert whole["cases"] > 60 and whole["self_service"]["portal_cases"] >= 1
        assert whole["failed_fixes"]["cases"] >= 1 and whole["escalation"]["by_reason"]
    finally:
        store.close()
