"""The one module that imports experta.

experta 1.9.4 pins frozendict==1.2, which does not import on Python >= 3.10.
linewise installs experta with `--no-deps` next to frozendict 2.x and
schema 0.6.7 (scripts/setup.sh); this module checks that at import time and
gives an actionable error otherwise. experta also calls `logging.basicConfig()`
when imported; that side effect is undone here, since only the CLI configures
logging.

Everything else in linewise talks to experta through the small API below:
`Known` facts, `Pattern` trees (all / any / leaf tests, in `patterns`) and
`build_engine_class`. The modules of this package are the only experta importers.

Two matchers run the same rules: "indexed" (the default, `matcher.IndexedMatcher`:
an alpha index on the fact key, memories touched per case, linear in nothing but
the case) and "plain" (experta's own `ReteMatcher`, the data-built rules as experta
is usually used; kept for the benchmarks and the equivalence tests).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Literal

from rules.errors import LinewiseError


class ExpertaUnavailable(LinewiseError):
    """experta (or its frozendict dependency) cannot be imported."""

    exit_code = 70


def _import_experta() -> Any:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        import experta
    except ImportError as err:  # pragma: no cover - exercised by the clean-install test
        raise ExpertaUnavailable(
            f"cannot import experta: {err}",
            hint="run scripts/setup.sh (it installs experta 1.9.4 with --no-deps, "
            "frozendict 2.x and schema 0.6.7)",
        ) from err
    finally:
        # undo experta's logging.basicConfig() at import
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    return experta


_experta = _import_experta()

from engine.experta_adapter.matcher import IndexedMatcher, Network  # noqa: E402
from engine.experta_adapter.patterns import (  # noqa: E402
    Action,
    AllOf,
    AnyOf,
    Leaf,
    Pattern,
    RuleSpec,
    canonical,
    disjuncts,
)

__all__ = [
    "EXPERTA_VERSION",
    "Action",
    "AllOf",
    "AnyOf",
    "ExpertaUnavailable",
    "Known",
    "Leaf",
    "MatcherKind",
    "Pattern",
    "RuleSpec",
    "build_engine_class",
    "canonical",
    "declare",
    "disjuncts",
    "fact_of",
    "new_engine",
    "run_with",
]

MatcherKind = Literal["indexed", "plain"]
EXPERTA_VERSION: str = getattr(_experta, "__version__", "1.9.4")


class Known(_experta.Fact):  # type: ignore[misc,name-defined]
    """A known fact in working memory: `key` is a question, fact or 'intake.FIELD'."""


def _to_ce(pattern: Pattern, counter: list[int]) -> Any:
    if isinstance(pattern, Leaf):
        name = f"b{counter[0]}"
        counter[0] += 1
        value = _experta.P(pattern.test) if pattern.test is not None else pattern.literal
        return getattr(_experta.AS, name) << Known(key=pattern.key, value=value)
    parts = [_to_ce(p, counter) for p in pattern.parts]
    if len(parts) == 1:
        return parts[0]
    if isinstance(pattern, AllOf):
        return _experta.AND(*parts)
    return _experta.OR(*parts)


class _Rhs:
    """The right-hand side of one rule: the shared action, told which rule fired."""

    __slots__ = ("action", "index")

    def __init__(self, action: Action, index: int) -> None:
        self.action = action
        self.index = index

    @property
    def __name__(self) -> str:
        """What experta copies onto a rule it re-makes (a rule without conditions)."""
        return f"rule_{self.index}"

    def __call__(self, *args: Any, **bindings: Any) -> None:
        # experta passes the running engine last (the bound instance may be stale)
        self.action(args[-1], self.index, bindings)


def _rule(spec: RuleSpec, action: Action, *conditions: Any) -> Any:
    """An experta Rule, as `Rule(*conditions, salience=...)(rhs)` makes it, less the
    decorator's copy of the function's metadata (`inspect.signature`, `update_wrapper`):
    a sixth of the compiled knowledge's memory. Only the name is kept (experta's
    watchers log it)."""
    rule = _experta.Rule(*conditions, salience=spec.salience)
    rule._wrapped = rhs = _Rhs(action, spec.index)
    rule.__name__ = rhs.__name__
    return rule


def build_engine_class(
    name: str, specs: Sequence[RuleSpec], action: Action, matcher: MatcherKind = "indexed"
) -> type:
    """Build a KnowledgeEngine subclass with one experta Rule per spec (compiled once).

    "plain" builds each rule's conditional elements and lets experta's ReteMatcher
    wire them (per engine instance). "indexed" builds the rules without conditional
    elements and one shared `Network` from the specs, read by `IndexedMatcher`; the
    class also answers `get_rules` / `get_deffacts` from lists made once, where
    experta would walk every attribute of the engine (`inspect.getmembers`) on each
    reset.
    """
    namespace: dict[str, Any] = {}
    rules: list[Any] = []
    for spec in specs:
        if matcher == "indexed" or spec.pattern is None:
            rule = _rule(spec, action)
        else:
            rule = _rule(spec, action, _to_ce(spec.pattern, [0]))
        namespace[f"rule_{spec.index}"] = rule
        rules.append(rule)
    if matcher == "indexed":
        namespace["__matcher__"] = IndexedMatcher
        namespace["lw_network"] = Network.build(specs, rules)
        namespace["get_rules"] = lambda self: list(rules)
        namespace["get_deffacts"] = lambda self: [self._declare_initial_fact]
    return type(name, (_experta.KnowledgeEngine,), namespace)


def new_engine(engine_class: type) -> Any:
    """An engine instance, ready for `run_with`."""
    return engine_class()


def run_with(engine: Any, facts: Sequence[tuple[str, Any]]) -> None:
    """Reset working memory, declare these facts in order, and run to quiescence."""
    engine.reset()
    if facts:
        engine.declare(*(Known(key=key, value=value) for key, value in facts))
    engine.run()


def declare(engine: Any, key: str, value: Any) -> None:
    """Declare one more fact from inside a rule action (derived facts chain)."""
    engine.declare(Known(key=key, value=value))


def fact_of(binding: Any) -> tuple[str, Any]:
    """(key, value) of a fact bound in a rule's match."""
    return binding["key"], binding["value"]
