"""Sequences ("first yes wins") compiled into ordinary rules.

    sequences:
      - id: toner_checks
        when: {question: print_printer_on, equals: yes}
        first_of:
          - when: {question: print_display_error, equals: paper_jam}
            then: [{conclude: print_paper_jam}]
          - when: {question: print_toner_percent, less_than: 5}
            then: [{conclude: print_toner_empty}]
        otherwise: [{escalate: 2, reason: "No known printer fault"}]

becomes the rules `toner_checks_1` (printer on and paper jam), `toner_checks_2` (printer
on, known not a paper jam, toner under 5) and `toner_checks_otherwise`. Without this,
every later rule had to repeat that the earlier checks were no. The rules go after the
pack's own, and their positions in the source map point at the sequence's text, so
that every error in them is reported at the file and line where it was written.
"""

from __future__ import annotations

from rules.schema import Condition, Pack, Rule, Sequence
from rules.source import PathKey, SourceMap


def expand_sequences(pack: Pack, smap: SourceMap) -> Pack:
    """The pack with each sequence's rules added after its own rules."""
    if not pack.sequences:
        return pack
    rules = list(pack.rules)
    for si, sequence in enumerate(pack.sequences):
        at: PathKey = ("sequences", si)
        written = _under(smap, at)
        for rule, places in _rules(sequence, at):
            _alias(smap, ("rules", len(rules)), places, written)
            rules.append(rule)
    return pack.model_copy(update={"rules": rules})


Positions = list[tuple[PathKey, tuple[int, int]]]


def _under(
    smap: SourceMap, at: PathKey
) -> tuple[dict[PathKey, Positions], dict[PathKey, Positions]]:
    """The positions inside the sequence at `at`, by the part they are under (a step's
    `when`/`then`, the common `when`, `otherwise`): values and keys."""
    out: tuple[dict[PathKey, Positions], dict[PathKey, Positions]] = ({}, {})
    for table, grouped in zip((smap.values, smap.keys), out, strict=True):
        for path, place in table.items():
            if path[: len(at)] != at:
                continue
            rest = path[len(at) :]
            cut = 3 if rest[:1] == ("first_of",) else 1
            part = (*at, *rest[:cut])
            grouped.setdefault(part, []).append((rest[cut:], place))
            grouped.setdefault(path, []).append(((), place))
    return out


def _rules(sequence: Sequence, at: PathKey) -> list[tuple[Rule, list[tuple[PathKey, PathKey]]]]:
    """Each generated rule with its (rule path, sequence path) pairs for positions."""
    out: list[tuple[Rule, list[tuple[PathKey, PathKey]]]] = []
    earlier: list[tuple[Condition, PathKey]] = []
    common = [(sequence.when, (*at, "when"))] if sequence.when is not None else []
    for index, step in enumerate(sequence.first_of):
        here: PathKey = (*at, "first_of", index)
        parts = [
            *common,
            *((Condition(not_=c), p) for c, p in earlier),
            (step.when, (*here, "when")),
        ]
        rule = Rule(
            id=step.id or f"{sequence.id}_{index + 1}",
            description=step.description or sequence.description,
            priority=sequence.priority,
            when=_all(parts),
            then=step.then,
        )
        out.append((rule, _places(parts, here, (*here, "then"))))
        earlier.append((step.when, (*here, "when")))
    if sequence.otherwise is not None:
        parts = [*common, *((Condition(not_=c), p) for c, p in earlier)]
        rule = Rule(
            id=f"{sequence.id}_otherwise",
            description=sequence.description,
            priority=sequence.priority,
            when=_all(parts),
            then=list(sequence.otherwise),
        )
        out.append((rule, _places(parts, (*at, "otherwise"), (*at, "otherwise"))))
    return out


def _all(parts: list[tuple[Condition, PathKey]]) -> Condition:
    return parts[0][0] if len(parts) == 1 else Condition(all=[c for c, _p in parts])


def _places(
    parts: list[tuple[Condition, PathKey]], rule_at: PathKey, then_at: PathKey
) -> list[tuple[PathKey, PathKey]]:
    """Rule paths (relative to the rule) and the sequence paths they were written at."""
    places: list[tuple[PathKey, PathKey]] = [((), rule_at), (("id",), rule_at)]
    places.append((("then",), then_at))
    if len(parts) == 1:
        return [*places, (("when",), parts[0][1])]
    for index, (cond, written) in enumerate(parts):
        inner: PathKey = ("when", "all", index)
        places.append((inner, written))
        if cond.not_ is not None:
            places.append(((*inner, "not"), written))
    return places


def _alias(
    smap: SourceMap,
    rule: PathKey,
    places: list[tuple[PathKey, PathKey]],
    written: tuple[dict[PathKey, Positions], dict[PathKey, Positions]],
) -> None:
    """Make positions under the generated rule resolve to where its parts were written."""
    for table, grouped in zip((smap.values, smap.keys), written, strict=True):
        for relative, source in places:
            for rest, place in grouped.get(source, ()):
                table[(*rule, *relative, *rest)] = place
