"""The one module that imports experta.

experta 1.9.4 pins frozendict==1.2, which does not import on Python >= 3.10.
linewise installs experta with `--no-deps` next to frozendict 2.x and
schema 0.6.7 (scripts/setup.sh); this module checks that at import time and
gives an actionable error otherwise. experta also calls `logging.basicConfig()`
when imported; that side effect is undone here, since only the CLI configures
logging.

Everything else in linewise talks to experta through the small API below:
`Known` facts, `Pattern` trees (all / any / leaf tests) and `build_engine_class`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

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
EXPERTA_VERSION: str = getattr(_experta, "__version__", "1.9.4")


class Known(_experta.Fact):  # type: ignore[misc,name-defined]
    """A known fact in working memory: `key` is a question, fact or 'intake.FIELD'."""


@dataclass(frozen=True)
class Leaf:
    """Match a `Known` fact with this key whose value passes `test` (or equals `literal`)."""

    key: str
    test: Callable[[Any], bool] | None = None
    literal: Any = None


@dataclass(frozen=True)
class AllOf:
    parts: Sequence[Pattern]


@dataclass(frozen=True)
class AnyOf:
    parts: Sequence[Pattern]


Pattern = Leaf | AllOf | AnyOf

# The action called when a rule fires: (engine, rule index, {binding: Known fact}).
Action = Callable[[Any, int, dict[str, Any]], None]


@dataclass(frozen=True)
class RuleSpec:
    """One compiled rule: its index in the knowledge base, salience and condition."""

    index: int
    salience: int
    pattern: Pattern | None  # None: always applies (matches the initial fact)


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


def build_engine_class(name: str, specs: Sequence[RuleSpec], action: Action) -> type:
    """Build a KnowledgeEngine subclass with one experta Rule per spec (compiled once)."""
    namespace: dict[str, Any] = {}
    for spec in specs:

        def rhs(*args: Any, _index: int = spec.index, **bindings: Any) -> None:
            # experta passes the running engine last (the bound instance may be stale)
            action(args[-1], _index, bindings)

        rhs.__name__ = f"rule_{spec.index}"
        if spec.pattern is None:
            rule = _experta.Rule(salience=spec.salience)(rhs)
        else:
            rule = _experta.Rule(_to_ce(spec.pattern, [0]), salience=spec.salience)(rhs)
        namespace[f"rule_{spec.index}"] = rule
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
