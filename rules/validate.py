"""Cross-checks over a set of packs: ids, references, value types and derivation cycles."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from rules.computed import check_expression
from rules.cycles import derivation_cycles
from rules.duplicates import duplicates, without_echoes
from rules.errors import MAX_REPORTED, Diagnostic, did_you_mean, suggest
from rules.expr import parse
from rules.intake import INTAKE_FIELDS
from rules.message import check_places
from rules.procedure import check_links
from rules.schema import Condition, Pack
from rules.source import PathKey, SourceMap
from rules.values import ValueSpec, fits

if TYPE_CHECKING:
    from rules.knowledge import KnowledgeBase

_NUMERIC = ("less_than", "greater_than", "between")


def walk(cond: Condition, path: PathKey) -> Iterator[tuple[PathKey, Condition]]:
    """Every leaf comparison with its path inside the pack."""
    if cond.all is not None:
        for i, child in enumerate(cond.all):
            yield from walk(child, path + ("all", i))
    elif cond.any is not None:
        for i, child in enumerate(cond.any):
            yield from walk(child, path + ("any", i))
    elif cond.not_ is not None:
        yield from walk(cond.not_, path + ("not",))
    else:
        yield path, cond


def scope(kb: KnowledgeBase, pack: Pack) -> set[str]:
    """The pack ids whose definitions `pack` may use: itself and what it requires, transitively."""
    seen: set[str] = set()
    todo = [pack.id]
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        if pid in kb.packs:
            todo.extend(kb.packs[pid].pack.requires)
    return seen


def validate(kb: KnowledgeBase) -> list[Diagnostic]:
    """Every cross-pack problem at once."""
    out: list[Diagnostic] = []
    defined: dict[tuple[str, str], tuple[str, str]] = {}  # (kind, id) -> (pack id, file)
    clashed = duplicates(kb, out, defined)
    for item in kb.packs.values():
        pack, smap = item.pack, item.source
        _requires(kb, pack, smap, out)
        visible = scope(kb, pack)
        for fi, fact in enumerate(pack.facts):
            if fact.fix_of is not None and fact.fix_of not in kb.faults:
                out.append(
                    smap.diagnostic(
                        ("facts", fi, "fix_of"),
                        f"unknown fault '{fact.fix_of}'",
                        hint=did_you_mean(fact.fix_of, kb.faults.keys()),
                        code="E013",
                    )
                )
        for qi, question in enumerate(pack.questions):
            for ai, after in enumerate(question.after):
                if after not in kb.questions:
                    out.append(
                        smap.diagnostic(
                            ("questions", qi, "after", ai),
                            f"unknown question '{after}'",
                            hint=did_you_mean(after, kb.questions.keys()),
                            code="E010",
                        )
                    )
        for ri, rule in enumerate(pack.rules):
            base: PathKey = ("rules", ri)
            if rule.when is not None:
                for path, leaf in walk(rule.when, base + ("when",)):
                    if leaf.expr is not None:
                        check_expression(kb, visible, smap, path + ("expr",), leaf.expr, out)
                    else:
                        _check_leaf(kb, visible, smap, path, leaf, out)
            for ci, then in enumerate(rule.then):
                _check_consequence(kb, pack, visible, smap, base + ("then", ci), then, out)
    derivation_cycles(kb, out)
    check_links(kb, out)
    return without_echoes(out, clashed) if clashed else out


def _requires(kb: KnowledgeBase, pack: Pack, smap: SourceMap, out: list[Diagnostic]) -> None:
    for i, req in enumerate(pack.requires):
        if req not in kb.packs:
            out.append(
                smap.diagnostic(
                    ("requires", i),
                    f"unknown pack '{req}'",
                    hint=did_you_mean(req, kb.packs.keys())
                    or f"load the pack '{req}' too (name its file or folder), or fix the id",
                    code="E012",
                )
            )
        elif req == pack.id:
            out.append(
                smap.diagnostic(("requires", i), "a pack cannot require itself", code="E012")
            )


def _reference_hint(
    kb: KnowledgeBase, ident: str, pool: list[str], visible: set[str]
) -> str | None:
    owner = kb.owner.get(ident) or kb.owner.get("fault:" + ident)
    if owner is not None and owner not in visible:
        return f"it is defined in pack '{owner}': add '{owner}' to requires"
    return did_you_mean(ident, pool)


def _check_leaf(
    kb: KnowledgeBase,
    visible: set[str],
    smap: SourceMap,
    path: PathKey,
    leaf: Condition,
    out: list[Diagnostic],
) -> None:
    kind, ident = leaf.subject
    spec: ValueSpec | None
    if kind == "intake":
        if ident not in INTAKE_FIELDS:
            out.append(
                smap.diagnostic(
                    path + ("intake",),
                    f"unknown intake field '{ident}'",
                    hint=suggest(ident, INTAKE_FIELDS.keys(), out),
                    code="E013",
                )
            )
            return
        spec = kb.spec("intake." + ident)
    else:
        pool = kb.questions if kind == "question" else kb.facts
        if ident not in pool or kb.owner.get(ident) not in visible:
            shown = len(out) < MAX_REPORTED
            names = [i for i in pool if kb.owner.get(i) in visible] if shown else []
            out.append(
                smap.diagnostic(
                    path + (kind,),
                    f"unknown {kind} '{ident}'",
                    hint=None
                    if not shown
                    else _reference_hint(kb, ident, names, visible)
                    if ident in pool
                    else did_you_mean(ident, names)
                    or (
                        f"'{ident}' is a {'fact' if kind == 'question' else 'question'}: "
                        f"write '{'fact' if kind == 'question' else 'question'}: {ident}'"
                        if ident in kb.facts or ident in kb.questions
                        else f"declare it under '{kind}s:'"
                    ),
                    code="E013",
                )
            )
            return
        spec = kb.spec(ident)
    assert spec is not None  # known subject; internal invariant, not user input
    _check_comparison(spec, kind, ident, smap, path, leaf, out)


def _check_comparison(
    spec: ValueSpec,
    kind: str,
    ident: str,
    smap: SourceMap,
    path: PathKey,
    leaf: Condition,
    out: list[Diagnostic],
) -> None:
    op = leaf.kind
    here = path + (op,)
    if op in _NUMERIC and spec.type != "number":
        out.append(
            smap.diagnostic(
                here,
                f"'{op}' compares numbers, but {kind} '{ident}' is {spec.type}",
                hint="use 'equals' or 'one_of'",
                code="E014",
            )
        )
        return
    if op == "contains" and spec.type != "text":
        out.append(
            smap.diagnostic(
                here,
                f"'contains' searches text, but {kind} '{ident}' is {spec.type}",
                hint="use 'equals' or 'one_of'",
                code="E014",
            )
        )
        return
    values = [leaf.equals] if op == "equals" else list(leaf.one_of or []) if op == "one_of" else []
    for i, value in enumerate(values):
        if value is not None and not fits(value, spec):
            where = here if op == "equals" else here + (i,)
            hint = f"expected {spec.describe()}"
            if spec.type == "choice" and isinstance(value, str):
                hint = did_you_mean(value, spec.options) or hint
            if spec.type == "choice" and isinstance(value, bool):
                hint = "YAML reads yes/no/on/off as true/false: quote the option, e.g. 'yes'"
            if spec.type == "choice" and type(value) is int and str(value) in spec.options:
                hint = f"a menu number in a condition is text: write '{value}' in quotes"
            out.append(
                smap.diagnostic(
                    where,
                    f"{_show(value)} is not a value of {kind} '{ident}'",
                    hint=hint,
                    code="E015",
                )
            )


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return repr(value)


def _check_consequence(
    kb: KnowledgeBase,
    pack: Pack,
    visible: set[str],
    smap: SourceMap,
    path: PathKey,
    then: object,
    out: list[Diagnostic],
) -> None:
    from rules.schema import Consequence

    assert isinstance(then, Consequence)
    if then.conclude is not None:
        owner = kb.owner.get("fault:" + then.conclude)
        if then.conclude not in kb.faults or owner not in visible:
            shown = len(out) < MAX_REPORTED
            names = [f for f in kb.faults if kb.owner.get("fault:" + f) in visible] if shown else []
            out.append(
                smap.diagnostic(
                    path + ("conclude",),
                    f"unknown fault '{then.conclude}'",
                    hint=(_reference_hint(kb, then.conclude, names, visible) if shown else None)
                    or "declare it under 'faults:'",
                    code="E013",
                )
            )
    elif then.derive is not None:
        target = then.derive
        if target not in kb.facts and target not in kb.questions:
            out.append(
                smap.diagnostic(
                    path + ("derive",),
                    f"unknown fact '{target}'",
                    hint=did_you_mean(target, list(kb.facts) + list(kb.questions))
                    or "declare it under 'facts:'",
                    code="E013",
                )
            )
            return
        decl = kb.facts.get(target)
        if decl is not None and decl.fix_of is not None:
            out.append(
                smap.diagnostic(
                    path + ("derive",),
                    f"'{target}' holds the outcome of the fix of '{decl.fix_of}': "
                    "rules test it, they never derive it",
                    hint="derive another fact, or test this one in 'when'",
                    code="E020",
                )
            )
        spec = kb.spec(target)
        if then.expr is not None:
            check_expression(kb, visible, smap, path + ("expr",), then.expr, out)
            wanted = "yesno" if parse(then.expr).is_test else "number"
            if spec is not None and spec.type != wanted:
                out.append(
                    smap.diagnostic(
                        path + ("expr",),
                        f"the expression gives {'yes or no' if wanted == 'yesno' else 'a number'}"
                        f", but '{target}' is {spec.type}",
                        hint=f"declare '{target}' with type: {wanted}",
                        code="E014",
                    )
                )
        if spec is not None and then.value is not None and not fits(then.value, spec):
            out.append(
                smap.diagnostic(
                    path + ("value",),
                    f"{_show(then.value)} is not a value of '{target}'",
                    hint=f"expected {spec.describe()}",
                    code="E015",
                )
            )
    elif then.repeat is not None and then.repeat not in kb.questions:
        out.append(
            smap.diagnostic(
                path + ("repeat",),
                f"unknown question '{then.repeat}'",
                hint=did_you_mean(then.repeat, kb.questions.keys()) or "repeat asks a question",
                code="E013",
            )
        )
    elif then.say is not None:
        check_places(kb, smap, path + ("say",), [then.say.en, then.say.ru or ""], out)
    elif then.escalate is not None and then.escalate <= pack.line:
        out.append(
            smap.diagnostic(
                path + ("escalate",),
                f"escalation goes up: this is a Line {pack.line} pack, so escalate to "
                f"Line {pack.line + 1} or higher",
                code="E016",
            )
        )
