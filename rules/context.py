"""Packs in context: the packs given, loaded beside the packs a session would run with.

`pack validate` and `pack check` take the live packs (shipped or published) as context, so
that an id clash or a broken reference across packs shows before `pack publish`. A pack
given replaces the context's pack of the same id (it is a new version of it, not a clash);
every other context pack stays. Context packs are indexed first, so a clash is reported
at the pack given, the one being written; a problem that shows in a context pack is one
the packs given cause, and its hint says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rules.errors import Diagnostic, PackError
from rules.gcpause import paused_gc
from rules.knowledge import KnowledgeBase
from rules.loader import LoadedPack, load_pack_files, pack_files
from rules.paths import resolved
from rules.salvage import unmasked


@dataclass(frozen=True)
class Context:
    """The packs a session would run with, and where they come from (for messages)."""

    files: Sequence[Path]
    source: str  # 'shipped', 'published' or 'given'


@dataclass
class InContext:
    """The knowledge base of the packs given plus their context, and who is who in it."""

    kb: KnowledgeBase
    given: list[str]  # pack ids given
    context: list[str] = field(default_factory=list)  # context pack ids kept beside them
    replaced: dict[str, str] = field(default_factory=dict)  # pack id -> version replaced
    source: str | None = None  # None: the packs given alone

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "given": self.given,
            "context": self.context,
            "replaced": self.replaced,
        }

    def counts(self) -> dict[str, int]:
        """Questions, faults and rules of the packs given (the context's not counted)."""
        packs = [self.kb.packs[pid].pack for pid in self.given if pid in self.kb.packs]
        return {
            "questions": sum(len(p.questions) for p in packs),
            "faults": sum(len(p.faults) for p in packs),
            "rules": sum(len(p.rules) for p in packs),
        }

    def versions(self) -> dict[str, str]:
        """The packs given, by id, with their versions."""
        return {pid: self.kb.packs[pid].pack.version for pid in self.given if pid in self.kb.packs}

    def checked(self) -> KnowledgeBase:
        """What `pack check` verifies: the packs given, the packs that require them (a new
        version may break those) and everything these require. The rest of the context
        was checked when it shipped or was published, and a whole line takes longer."""
        return self.kb.subset(neighbourhood(self.kb, self.given))


def neighbourhood(kb: KnowledgeBase, pack_ids: Iterable[str]) -> list[str]:
    """These packs and every pack that requires one of them, directly or through others."""
    users = {pid for pid in pack_ids if pid in kb.packs}
    changed = True
    while changed:
        changed = False
        for pid, loaded in kb.packs.items():
            if pid not in users and users & set(loaded.pack.requires):
                users.add(pid)
                changed = True
    return sorted(users)


def load_in_context(
    paths: Iterable[Path], context: Context | None, *, tolerate: Iterable[str] = ()
) -> InContext:
    """Load and validate the packs at `paths` with `context` (None: alone), reporting every
    problem at once (PackError); errors coded in `tolerate` are left to the caller."""
    given_paths = list(paths)
    with paused_gc():
        problems: list[Diagnostic] = []
        try:
            given = load_pack_files(given_paths)
        except PackError as err:
            if not err.loaded:
                raise
            given, problems = err.loaded, list(err.diagnostics)
        kept, replaced = _beside(given, given_paths, context)
        try:
            kb = KnowledgeBase.from_loaded([*kept, *given], tolerate=tolerate)
        except PackError as more:
            set_aside = frozenset().union(*(item.set_aside for item in given))
            found = unmasked(more.diagnostics, set_aside)
            raise PackError([*problems, *_blamed(found, kept, context)]) from more
        if problems:
            raise PackError(problems)
    ids = sorted({item.pack.id for item in given})
    return InContext(
        kb,
        ids,
        sorted({item.pack.id for item in kept}),
        replaced,
        context.source if context is not None else None,
    )


def _beside(
    given: list[LoadedPack], given_paths: list[Path], context: Context | None
) -> tuple[list[LoadedPack], dict[str, str]]:
    """The context packs that stay beside the packs given, and the versions replaced."""
    if context is None:
        return [], {}
    ids = {item.pack.id for item in given}
    files = {resolved(p) for p in pack_files(given_paths)}
    ctx_files = [p for p in context.files if resolved(p) not in files]
    if not ctx_files:
        return [], {}
    kept: list[LoadedPack] = []
    replaced: dict[str, str] = {}
    for item in load_pack_files(ctx_files):
        if item.pack.id in ids:
            replaced[item.pack.id] = item.pack.version
        else:
            kept.append(item)
    return kept, replaced


def _blamed(
    found: Iterable[Diagnostic], kept: list[LoadedPack], context: Context | None
) -> list[Diagnostic]:
    """A problem inside a context pack, which was sound before, says the packs given
    cause it (the context alone validated when it shipped or was published)."""
    if context is None:
        return list(found)
    owners = {item.source.file: item.pack.id for item in kept}
    out: list[Diagnostic] = []
    for diag in found:
        owner = owners.get(diag.file)
        if owner is None:
            out.append(diag)
            continue
        why = (
            f"'{owner}' is a {context.source} pack, not one given: the packs given break it; "
            f"keep what it uses, or give a new version of '{owner}' too"
        )
        out.append(replace(diag, hint=f"{diag.hint}; {why}" if diag.hint else why))
    return out


def context_note(loaded: InContext) -> str:
    """One clause for a summary line: which context the packs were checked in."""
    if loaded.source is None:
        return "alone"
    others = len(loaded.context)
    note = f"with {others} {loaded.source} pack{'s' if others != 1 else ''}"
    if not others:
        note = f"with no other {loaded.source} pack"
    versions = loaded.versions()
    newer = {pid: v for pid, v in loaded.replaced.items() if versions.get(pid) != v}
    if newer:  # the same version given again is the live pack itself, not a replacement
        note += "; replacing " + ", ".join(f"{pid} {v}" for pid, v in sorted(newer.items()))
    return note


__all__ = ["Context", "InContext", "context_note", "load_in_context", "neighbourhood"]
