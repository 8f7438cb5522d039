"""Command groups whose subcommands are imported only when they run.

Importing every subcommand (and with them pydantic, networkx, experta, SQLAlchemy,
FastAPI, rich) took over a second before `linewise --version` could answer. A lazy
group knows each subcommand by where it lives and its one-line help, so `--help`
lists the commands without importing any of them (tests/test_lazy_cli.py checks that
the one-line help written here is the command's own).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import click


@dataclass(frozen=True)
class Lazy:
    """Where a subcommand lives (`module`, `attribute`) and its one-line help."""

    module: str
    attribute: str
    short_help: str

    def shown(self, limit: int) -> str:
        """The one-line help cut to `limit` characters, as click cuts a command's."""
        return click.Command(None, help=self.short_help).get_short_help_str(limit)


class LazyGroup(click.Group):
    """A click group (as in click's documentation, "Lazily Loading Subcommands") whose
    `lazy` subcommands are imported on first use."""

    def __init__(self, *args: Any, lazy: Mapping[str, Lazy] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, Lazy] = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            self.add_command(load(self.lazy[cmd_name]), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their one-line help, without importing the lazy ones."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max((len(n) for n in names), default=0)
        rows: list[tuple[str, str]] = []
        for name in names:
            if name in self.lazy and name not in self.commands:
                rows.append((name, self.lazy[name].shown(limit)))
                continue
            command = super().get_command(ctx, name)
            if command is None or command.hidden:
                continue
            rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def load(entry: Lazy) -> click.Command:
    """Import the module of `entry` and return its command."""
    command = getattr(importlib.import_module(entry.module), entry.attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{entry.module}.{entry.attribute} is not a click command")
    return command
