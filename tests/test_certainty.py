"""MYCIN certainty factors: the combination is a commutative, associative, bounded operation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.certainty import combine, combine_all

cf = st.floats(min_value=-1, max_value=1, allow_nan=False)


@given(cf, cf)
def test_commutative_and_bounded(x: float, y: float) -> None:
    assert combine(x, y) == pytest.approx(combine(y, x))
    assert -1 <= combine(x, y) <= 1


@given(st.floats(0, 0.99), st.floats(0, 0.99), st.floats(0, 0.99))
def test_associative_for_supporting_evidence(x: float, y: float, z: float) -> None:
    assert combine(combine(x, y), z) == pytest.approx(combine(x, combine(y, z)))


@given(st.floats(0, 1), st.floats(0, 1))
def test_more_support_never_lowers_certainty(x: float, y: float) -> None:
    assert combine(x, y) >= max(x, y) - 1e-12


def test_known_values() -> None:
    assert combine(0.6, 0.5) == pytest.approx(0.8)
    assert combine(-0.6, -0.5) == pytest.approx(-0.8)
    assert combine(0.8, -0.5) == pytest.approx(0.6)
    assert combine(1.0, -1.0) == 0.0
    assert combine_all([]) == 0.0
    assert combine_all([0.3]) == pytest.approx(0.3)
