"""A knowledge base: a set of loaded packs, indexed by id, and its subsets per support line."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rules.computed import Expansion, expand_rule, has_expressions, number_of
from rules.errors import PackError, UnknownIdError, did_you_mean
from rules.gcpause import paused_gc
from rules.intake import INTAKE_FIELDS
from rules.loader import LoadedPack, load_pack_files, shipped_pack_files
from rules.salvage import unmasked
from rules.schema import Condition, FactDecl, Fault, Question, Rule, Symptom
from rules.values import ValueSpec

INTAKE_PREFIX = "intake."


def subject_key(kind: str, ident: str) -> str:
    """The fact key of a condition subject: questions and facts by id, intake as 'intake.X'."""
    return INTAKE_PREFIX + ident if kind == "intake" else ident


@dataclass(frozen=True)
class RuleRef:
    """A rule with the pack it belongs to and its index there (for positions)."""

    pack_id: str
    index: int
    rule: Rule

    @property
    def qualified(self) -> str:
        return f"{self.pack_id}/{self.rule.id}"


@dataclass
class KnowledgeBase:
    """Packs indexed by id. Build it with `KnowledgeBase.from_loaded` (validates)."""

    packs: dict[str, LoadedPack]
    questions: dict[str, Question] = field(default_factory=dict)
    facts: dict[str, FactDecl] = field(default_factory=dict)
    faults: dict[str, Fault] = field(default_factory=dict)
    symptoms: dict[str, Symptom] = field(default_factory=dict)
    rules: list[RuleRef] = field(default_factory=list)
    owner: dict[str, str] = field(default_factory=dict)  # question/fact/fault/symptom id -> pack id
    loaded: list[LoadedPack] = field(default_factory=list)  # every file, duplicates included
    scores: dict[str, dict[str, float]] = field(default_factory=dict)  # choice -> option -> n

    @classmethod
    def from_loaded(
        cls, loaded: Iterable[LoadedPack], *, tolerate: Iterable[str] = ()
    ) -> KnowledgeBase:
        """Index and validate; errors whose code is in `tolerate` are left to the caller
        (`pack check` reports derivation cycles itself, next to its other findings)."""
        from rules.validate import validate

        kb = cls._index(list(loaded))
        problems = validate(kb)
        skip = set(tolerate)
        errors = [d for d in problems if d.severity == "error" and d.code not in skip]
        # a sequence's condition is in several of its rules (rules.sequence): say it once
        errors = list({(d.file, d.line, d.col, d.message): d for d in errors}.values())
        if errors:
            raise PackError(errors)
        return kb

    @classmethod
    def _index(cls, loaded: list[LoadedPack]) -> KnowledgeBase:
        kb = cls(packs={}, loaded=loaded)
        for item in loaded:
            pack = item.pack
            kb.packs.setdefault(pack.id, item)
            for question in pack.questions:
                kb.questions.setdefault(question.id, question)
                kb.owner.setdefault(question.id, pack.id)
            for fact in pack.facts:
                kb.facts.setdefault(fact.id, fact)
                kb.owner.setdefault(fact.id, pack.id)
            share = 1.0 / len(pack.faults) if pack.faults else 1.0
            for fault in pack.faults:
                if fault.prior is None:  # the documented default: an even share
                    fault = fault.model_copy(update={"prior": share})
                kb.faults.setdefault(fault.id, fault)
                kb.owner.setdefault("fault:" + fault.id, pack.id)
            for symptom in pack.symptoms:
                kb.symptoms.setdefault(symptom.id, symptom)
            kb.rules.extend(RuleRef(pack.id, i, rule) for i, rule in enumerate(pack.rules))
        kb._expand()
        return kb

    def _expand(self) -> None:
        """Expressions become plain rules and facts (rules.computed); option scores indexed."""
        decls: list[Question | FactDecl] = [*self.questions.values(), *self.facts.values()]
        for decl in decls:
            numbers = {o.value: o.number for o in decl.options or ()}
            if any(n is not None for n in numbers.values()):
                self.scores[decl.id] = {k: v for k, v in numbers.items() if v is not None}
        if not any(has_expressions(ref.rule) for ref in self.rules):
            return
        added = Expansion()
        rules: list[RuleRef] = []
        for ref in self.rules:
            if not has_expressions(ref.rule):
                rules.append(ref)
                continue
            before = set(added.rules)
            rule = expand_rule(ref.rule, self._kind_of, added)
            for fact_id in added.rules.keys() - before:
                self.facts.setdefault(fact_id, added.facts[fact_id])
                self.owner.setdefault(fact_id, ref.pack_id)
                rules.append(RuleRef(ref.pack_id, ref.index, added.rules[fact_id]))
            rules.append(RuleRef(ref.pack_id, ref.index, rule))
        self.rules = rules

    def _kind_of(self, name: str) -> str:
        return "question" if name in self.questions else "fact"

    def number_of(self, values: Mapping[str, object]) -> Callable[[str], float | None]:
        """How expressions read numbers from these known values (choices by option score)."""
        return number_of(values, self.scores)

    # ---- look-ups -------------------------------------------------------------

    def spec(self, key: str) -> ValueSpec | None:
        """The values a fact key can take, or None for an unknown key."""
        if key.startswith(INTAKE_PREFIX):
            intake = INTAKE_FIELDS.get(key.removeprefix(INTAKE_PREFIX))
            if intake is None:
                return None
            options = intake.options
            if intake.id == "complaint":
                options = tuple(sorted(self.symptoms))
            return ValueSpec(intake.type, options)
        question = self.questions.get(key)
        if question is not None:
            return ValueSpec(
                question.type,
                tuple(o.value for o in question.options or ()),
                question.min,
                question.max,
                question.unit,
            )
        fact = self.facts.get(key)
        if fact is not None:
            return ValueSpec(fact.type, tuple(o.value for o in fact.options or ()))
        return None

    def question(self, ident: str) -> Question:
        if ident not in self.questions:
            raise UnknownIdError(
                f"unknown question '{ident}'", hint=did_you_mean(ident, self.questions.keys())
            )
        return self.questions[ident]

    def fault(self, ident: str) -> Fault:
        if ident not in self.faults:
            raise UnknownIdError(
                f"unknown fault '{ident}'", hint=did_you_mean(ident, self.faults.keys())
            )
        return self.faults[ident]

    def fault_pack(self, fault_id: str) -> str:
        return self.owner["fault:" + fault_id]

    def lines(self) -> list[int]:
        return sorted({p.pack.line for p in self.packs.values()})

    def versions(self) -> dict[str, str]:
        return {pid: p.pack.version for pid, p in sorted(self.packs.items())}

    def for_line(self, line: int) -> KnowledgeBase:
        """The packs of one support line, with every pack they require."""
        wanted = [pid for pid, p in self.packs.items() if p.pack.line == line]
        if not wanted:
            raise UnknownIdError(
                f"no packs for Line {line}",
                hint="lines with packs: " + ", ".join(str(n) for n in self.lines()),
            )
        return self.subset(wanted)

    def subset(self, pack_ids: Iterable[str]) -> KnowledgeBase:
        """These packs plus the closure of their `requires` (already validated)."""
        keep: list[str] = []
        todo = list(pack_ids)
        while todo:
            pid = todo.pop()
            if pid in keep or pid not in self.packs:
                continue
            keep.append(pid)
            todo.extend(self.packs[pid].pack.requires)
        return KnowledgeBase._index([self.packs[pid] for pid in sorted(keep)])

    def conditions(self) -> Iterator[tuple[RuleRef, Condition]]:
        """Every leaf comparison of every rule."""
        for ref in self.rules:
            if ref.rule.when is not None:
                yield from ((ref, leaf) for leaf in leaves(ref.rule.when))


def leaves(cond: Condition) -> Iterator[Condition]:
    """The comparisons inside a condition, in document order."""
    if cond.children:
        for child in cond.children:
            yield from leaves(child)
    else:
        yield cond


def load_knowledge(paths: Iterable[Path] | None = None) -> KnowledgeBase:
    """Load and validate packs from files or folders; the shipped packs when none are given.

    Every problem is reported at once: files that do not load are reported with the
    cross-pack problems of the files that do.
    """
    files = list(paths) if paths else shipped_pack_files()
    with paused_gc():
        return _load(files)


def _load(files: list[Path]) -> KnowledgeBase:
    try:
        return KnowledgeBase.from_loaded(load_pack_files(files))
    except PackError as err:
        if not err.loaded:
            raise
        problems = list(err.diagnostics)
        set_aside = frozenset().union(*(item.set_aside for item in err.loaded))
        try:
            KnowledgeBase.from_loaded(err.loaded)
        except PackError as more:
            problems.extend(unmasked(more.diagnostics, set_aside))
        raise PackError(problems) from err
