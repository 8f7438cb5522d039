"""Verification findings: stable codes, compiler-style rendering, and deliberate silencing.

A finding is silenced by a YAML comment on the first line of the rule, question, fault or
symptom it is about (or on the very line it points to), like a linter's `noqa`:

    - id: legacy_cable_rule   # linewise: ignore[W103]

or for a whole run by `linewise pack check --ignore W105`. Codes never change meaning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from engine.compile import CompiledKnowledge, CompiledRule
from engine.constraint import Space
from engine.graph import Graph
from rules.knowledge import KnowledgeBase
from rules.source import SourceMap

Severity = Literal["error", "warning", "note"]

CODES: dict[str, tuple[Severity, str]] = {
    "W101": ("warning", "fault never concluded"),
    "E102": ("error", "contradictory rule"),
    "W103": ("warning", "rule subsumed by another with the same consequences"),
    "E104": ("error", "same conditions, conflicting consequences, no priority between them"),
    "W105": ("warning", "question no rule uses"),
    "W106": ("warning", "question no session can reach"),
    "E107": ("error", "cycle among derived facts"),
    "W108": ("warning", "relies on facts only a higher line can establish"),
    "W109": ("warning", "coverage gap: answers that reach no outcome"),
    "W110": ("warning", "rule that can never fire"),
    "N111": ("note", "complaint whose escalation reaches a line with no pack for it"),
    "W111": ("warning", "fault priors that do not make sense"),
    "W112": ("warning", "moot question: every answer leads to the same outcome there"),
    "W113": ("warning", "escalation forbidding an action the procedure asks for"),
    "W114": ("warning", "fault out of reach within a form of service's budget"),
    "W118": ("warning", "procedure step that nothing leads to"),
    "W119": ("warning", "procedure link to a step that cannot matter after that answer"),
}

_IGNORE = re.compile(r"#\s*linewise:\s*ignore\[([A-Z0-9,\s]+)\]")


@dataclass(frozen=True)
class Finding:
    """One verification finding at a place in a pack file."""

    code: str
    message: str
    file: str
    line: int
    col: int
    path: str
    pack: str
    hint: str | None = None
    details: dict[str, Any] = field(default_factory=dict, compare=False)
    item_line: int = field(default=0, compare=False)  # first line of the rule/question/fault

    @property
    def severity(self) -> Severity:
        return CODES[self.code][0]

    def render(self) -> str:
        """`file:line:col: code: message (hint)`, like a compiler."""
        text = f"{self.file}:{self.line}:{self.col}: {self.code}: {self.message}"
        return text + (f" ({self.hint})" if self.hint else "")

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity
        del data["item_line"]
        return data

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.col, self.code, self.message)


def finding(
    smap: SourceMap,
    pack: str,
    path: tuple[str | int, ...],
    code: str,
    message: str,
    *,
    hint: str | None = None,
    details: dict[str, Any] | None = None,
) -> Finding:
    """A finding located through the pack's source map."""
    diag = smap.diagnostic(path, message, hint=hint, code=code)
    item_line, _ = smap.locate(path[:2])
    return Finding(
        code=code,
        message=message,
        file=diag.file,
        line=diag.line,
        col=diag.col,
        path=diag.path,
        pack=pack,
        hint=hint,
        details=details or {},
        item_line=item_line,
    )


def ignored_codes(text_lines: list[str], line: int) -> set[str]:
    """Codes silenced by a `# linewise: ignore[...]` comment on a 1-based line."""
    if not 0 < line <= len(text_lines):
        return set()
    match = _IGNORE.search(text_lines[line - 1])
    if match is None:
        return set()
    return {c.strip() for c in match.group(1).split(",") if c.strip()}


def split_silenced(
    findings: Iterable[Finding], sources: dict[str, Path], ignore: Iterable[str] = ()
) -> tuple[list[Finding], list[Finding]]:
    """(kept, silenced), both sorted; `sources` maps a finding's file to the file to read."""
    everywhere = set(ignore)
    cache: dict[str, list[str]] = {}
    kept: list[Finding] = []
    silenced: list[Finding] = []
    for item in sorted(findings, key=Finding.sort_key):
        if item.file not in cache:
            path = sources.get(item.file)
            try:
                cache[item.file] = path.read_text(encoding="utf-8").splitlines() if path else []
            except OSError:
                cache[item.file] = []
        lines = cache[item.file]
        here = ignored_codes(lines, item.line) | ignored_codes(lines, item.item_line)
        (silenced if item.code in everywhere | here else kept).append(item)
    return kept, silenced


@dataclass
class Checker:
    """The shared state of one verification run."""

    compiled: CompiledKnowledge
    graph: Graph
    space: Space
    viable: set[int] = field(default_factory=set)
    contradictory: set[int] = field(default_factory=set)
    out: list[Finding] = field(default_factory=list)

    @property
    def kb(self) -> KnowledgeBase:
        return self.compiled.kb

    def at_rule(
        self,
        rule: CompiledRule,
        code: str,
        message: str,
        *,
        sub: tuple[str | int, ...] = (),
        **kw: Any,
    ) -> None:
        pack = rule.ref.pack_id
        smap = self.kb.packs[pack].source
        self.out.append(finding(smap, pack, ("rules", rule.ref.index, *sub), code, message, **kw))

    def at_item(
        self, section: str, ident: str, pack: str, code: str, message: str, **kw: Any
    ) -> None:
        loaded = self.kb.packs[pack]
        items = getattr(loaded.pack, section)
        index = next(i for i, item in enumerate(items) if item.id == ident)
        self.out.append(finding(loaded.source, pack, (section, index), code, message, **kw))

    def line_of(self, pack: str) -> int:
        return self.kb.packs[pack].pack.line
