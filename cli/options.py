"""Options shared by several commands, and the knowledge they load."""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from rules.errors import LinewiseError
from rules.numbers import NumberError, finite, parse_int, parse_number

if TYPE_CHECKING:  # imported where used: the store (SQLAlchemy) and experta take long
    from cases.desk import Desk
    from cases.store import SQLStore
    from engine.compile import CompiledKnowledge
    from rules.knowledge import KnowledgeBase

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


JSON_WANTED = "linewise.json"  # ctx.meta keys (shared by every nested context of a run)
JSON_SHOWN = "linewise.json_shown"


def _remember_json(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta[JSON_WANTED] = True
    return value


def json_option(func: F) -> F:
    """--json: the result as data on stdout; a refusal too (`json_refusal`), beside the
    message on stderr and the exit status."""
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        callback=_remember_json,
        help='Print machine-readable JSON (a refusal too, as {"ok": false, "error": ...}).',
    )(func)


def echo_json(data: Any) -> None:
    """Print a result (or a refusal) as JSON on stdout: the one way commands print data."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta[JSON_SHOWN] = True


def json_refusal(ctx: click.Context, err: LinewiseError) -> None:
    """A refused --json command prints its refusal as data too, unless the command already
    printed its own (`echo_json`); the message still goes to stderr, with the exit status."""
    if not ctx.meta.get(JSON_WANTED) or ctx.meta.get(JSON_SHOWN):
        return
    data: dict[str, Any] = {
        "ok": False,
        "error": {
            "kind": type(err).__name__,
            "message": err.message,
            "hint": err.hint,
            "exit_code": err.exit_code,
        },
    }
    diagnostics = getattr(err, "diagnostics", None)
    if isinstance(diagnostics, list):
        data["problems"] = [d.as_dict() for d in diagnostics]
    echo_json(data)


def load_all(packs: tuple[Path, ...], store: str | None = None) -> KnowledgeBase:
    """The packs given, else the live knowledge: what was published to the lines (the
    registry of the store: `store`, else the command's --store, else $LINEWISE_STORE),
    or the shipped packs while nothing has been published."""
    from cases.registry import live_pack_files
    from rules.knowledge import load_knowledge

    if packs:
        return load_knowledge(list(packs))
    if store is None:
        ctx = click.get_current_context(silent=True)
        given = ctx.params.get("store_path") if ctx is not None else None
        store = given if isinstance(given, str) else None
    return load_knowledge(live_pack_files(store))


def compiled_for_line(kb: KnowledgeBase, line: int) -> CompiledKnowledge:
    from engine.compile import compile_knowledge

    return compile_knowledge(kb.for_line(line), name=f"Line{line}Knowledge")


class Number(click.ParamType[float]):
    """A number option read by the one number parser: ASCII digits, finite, bounded
    ('nan', 'inf', '1_0' and '²' are refused as a usage error, exit 2)."""

    def __init__(
        self, minimum: float | None = None, maximum: float | None = None, *, whole: bool = False
    ) -> None:
        self.minimum = minimum
        self.maximum = maximum
        self.whole = whole
        self.name = "integer" if whole else "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            if isinstance(value, int | float) and not isinstance(value, bool):  # a default
                return finite(value) if not self.whole else int(value)
            text = str(value)
            if self.whole:
                low = None if self.minimum is None else int(self.minimum)
                high = None if self.maximum is None else int(self.maximum)
                return parse_int(text, signed=True, minimum=low, maximum=high)
            return parse_number(text, minimum=self.minimum, maximum=self.maximum)
        except NumberError as err:
            self.fail(f"{err.message} ({err.hint})", param, ctx)


def ids_option(func: F) -> F:
    option: Any = click.option(
        "--ids", is_flag=True, help="Show internal ids beside titles (also: the 'ids' command)."
    )
    return option(func)  # type: ignore[no-any-return]


def store_option(func: F) -> F:
    option: Any = click.option(
        "--store",
        "store_path",
        metavar="PATH|URL",
        default=None,
        help="The case store: a SQLite file, or postgresql://USER@HOST/DB for a team "
        "[default: $LINEWISE_STORE, else the user data dir].",
    )
    return option(func)  # type: ignore[no-any-return]


def open_case_store(target: str | None, *, readonly: bool = False) -> SQLStore:
    """The case store at `target` (else $LINEWISE_STORE, else the user data dir)."""
    from cases.store import open_store

    return open_store(target, readonly=readonly)


def terminal_desk(kb: KnowledgeBase, target: str | None, *, threshold: float, lang: str) -> Desk:
    """The desk of an agent at this terminal: every event names $USER and the terminal."""
    from cases.desk import Desk
    from cases.overlays import published_weights

    store = open_case_store(target)
    return Desk(
        store,
        kb,
        threshold=threshold,
        lang=lang,
        agent=terminal_user(),
        channel="terminal",
        weights=published_weights(store, kb),  # the published learned overlay, if any
    )


def terminal_user() -> str | None:
    """Who is at the terminal: $USER, else the login name (None when nobody can be told)."""
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (OSError, KeyError):
        return None
