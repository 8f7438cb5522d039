"""The indexed matcher fires what experta's own Rete matcher fires, with the same bindings."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from engine import experta_adapter as xa

KEYS = ("a", "b", "c")
WORDS = ("red", "Green", "blue")


def _greater(n: int) -> Any:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and v > n


def _word(w: str) -> Any:
    return lambda v: isinstance(v, str) and v.lower() == w.lower()


leaves = st.one_of(
    st.builds(lambda k, b: xa.Leaf(k, literal=b), st.sampled_from(KEYS), st.booleans()),
    st.builds(lambda k, n: xa.Leaf(k, test=_greater(n)), st.sampled_from(KEYS), st.integers(0, 4)),
    st.builds(
        lambda k, w: xa.Leaf(k, test=_word(w), index=frozenset({xa.canonical(w)})),
        st.sampled_from(KEYS),
        st.sampled_from(WORDS),
    ),
)
patterns = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(xa.AllOf, st.lists(inner, min_size=1, max_size=3)),
        st.builds(xa.AnyOf, st.lists(inner, min_size=1, max_size=3)),
    ),
    max_leaves=5,
)
values = st.one_of(st.booleans(), st.integers(0, 5), st.sampled_from(["red", "GREEN", "Blue"]))
facts = st.lists(st.tuples(st.sampled_from(KEYS), values), max_size=6)


def _fire(specs: list[xa.RuleSpec], matcher: xa.MatcherKind, case: list[tuple[str, Any]]) -> Any:
    seen: list[tuple[int, list[tuple[str, tuple[str, Any]]]]] = []

    def action(engine: Any, index: int, bindings: dict[str, Any]) -> None:
        seen.append((index, sorted((n, xa.fact_of(f)) for n, f in bindings.items())))
        if index % 3 == 0:  # derived facts chain in both
            xa.declare(engine, "c", index)

    engine = xa.new_engine(xa.build_engine_class("Eq", specs, action, matcher=matcher))
    xa.run_with(engine, case)
    return seen


@settings(max_examples=120, deadline=None)
@given(
    rules=st.lists(st.tuples(st.integers(0, 3), st.none() | patterns), min_size=1, max_size=6),
    case=facts,
)
def test_indexed_matcher_fires_what_rete_fires(rules: list[Any], case: list[Any]) -> None:
    specs = [xa.RuleSpec(i, sal, pat) for i, (sal, pat) in enumerate(rules)]
    plain = _fire(specs, "plain", case)
    indexed = _fire(specs, "indexed", case)
    assert sorted(indexed, key=repr) == sorted(plain, key=repr)
    # salience still orders what is on the agenda together: the first firing has the top one
    if indexed and not any(i % 3 == 0 for i, _ in indexed):
        assert [specs[i].salience for i, _ in indexed] == sorted(
            (specs[i].salience for i, _ in indexed), reverse=True
        )


def test_rules_share_one_test_call_per_fact() -> None:
    calls: list[Any] = []

    def test(v: Any) -> bool:
        calls.append(v)
        return True

    shared = xa.Leaf("a", test=test)
    specs = [xa.RuleSpec(i, 0, shared) for i in range(50)]
    fired = _fire(specs, "indexed", [("a", 1)])
    assert len({i for i, _ in fired}) == 50 and calls == [1]


def test_retracting_a_fact_removes_its_activations() -> None:
    fired: list[int] = []
    specs = [xa.RuleSpec(0, 0, xa.Leaf("a", literal=True))]
    cls = xa.build_engine_class("Retract", specs, lambda e, i, b: fired.append(i))
    engine = xa.new_engine(cls)
    engine.reset()
    fact = engine.declare(xa.Known(key="a", value=True))
    engine.retract(fact)
    engine.run()
    assert fired == []
