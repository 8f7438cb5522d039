"""Priced escalation does not make Line 1 give up early, premium soonest (issue 13.4).

The same seeded simulated customers (cases/simulate.py) are worked under the shipped
service levels, under premium's budgets and escalation prices for every form, and with
escalation priced out; bench/escalation_price.py measures it on 300 cases.
"""

from __future__ import annotations

import pytest

from bench.escalation_price import run


@pytest.mark.slow
def test_pricing_and_premium_budgets_cost_line_1_no_resolution() -> None:
    result = run(40, 3, cheap=0.2)
    resolved = {
        name: sum(form["resolved_at_line1"] for form in result[name]["forms"].values())
        for name in ("shipped", "all_premium", "priced_out")
    }
    assert resolved["shipped"] > 0
    assert resolved["all_premium"] == resolved["shipped"] == resolved["priced_out"], resolved
    # the measure can see early escalation: at 0.2 minutes escalating beats most questions
    cheap = result["cheap"]["forms"].values()
    assert sum(f["resolved_at_line1"] for f in cheap) < resolved["shipped"]
