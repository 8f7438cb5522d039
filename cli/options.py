"""Options shared by several commands, and the knowledge they load."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from cases.registry import live_pack_files
from engine.compile import CompiledKnowledge, compile_knowledge
from rules.knowledge import KnowledgeBase, load_knowledge

F = TypeVar("F", bound=Callable[..., Any])


def packs_option(func: F) -> F:
    return click.option(
        "--packs",
        "packs",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Pack files or folders to use instead of the shipped packs (repeatable).",
    )(func)


def lang_option(func: F) -> F:
    return click.option(
        "--lang",
        type=click.Choice(["en", "ru"]),
        default="en",
        show_default=True,
        help="Language of texts from the packs.",
    )(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")(
        func
    )


def load_all(packs: tuple[Path, ...]) -> KnowledgeBase:
    """The packs given, else the live knowledge: what was published to the lines (the
    registry), or the shipped packs while nothing has been published."""
    return load_knowledge(list(packs) or live_pack_files())


def compiled_for_line(kb: KnowledgeBase, line: int) -> CompiledKnowledge:
    return compile_knowledge(kb.for_line(line), name=f"Line{line}Knowledge")


def ids_option(func: F) -> F:
    option: Any = click.option(
        "--ids", is_flag=True, help="Show internal ids beside titles (also: the 'ids' command)."
    )
    return option(func)  # type: ignore[no-any-return]
