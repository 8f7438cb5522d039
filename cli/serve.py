"""`linewise serve` and `linewise user ...`: the web server and its accounts."""

from __future__ import annotations

import getpass
import json
import logging
import os
import sys
from pathlib import Path

import click

from cases.store import default_path
from cli.guided import store_option
from cli.options import echo_json, json_option, load_all, packs_option
from helpdesk.mapping import load_mapping
from rules.errors import InvalidInput
from web.accounts import ROLES, Accounts
from web.settings import Settings, load_secret


def _store_path(store_path: str | None) -> str | Path:
    """The store named by --store, else $LINEWISE_STORE, else the user data dir."""
    return store_path or os.environ.get("LINEWISE_STORE") or default_path()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option("--lang", type=click.Choice(["en", "ru"]), default="en", show_default=True)
@click.option("--no-portal", is_flag=True, help="Turn the self-service portal off.")
@click.option(
    "--admin",
    metavar="NAME",
    help="Create (or reset) this admin account first; the password is read from "
    "$LINEWISE_ADMIN_PASSWORD or asked for.",
)
@click.option(
    "--helpdesk",
    "helpdesks",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A helpdesk mapping (repeatable): take Zammad's and GLPI's signed webhooks, poll "
    "Request Tracker, and deliver write-backs in the background.",
)
@store_option
@packs_option
def serve(
    host: str,
    port: int,
    workers: int,
    lang: str,
    no_portal: bool,
    admin: str | None,
    helpdesks: tuple[Path, ...],
    store_path: str | None,
    packs: tuple[Path, ...],
) -> None:
    """Serve the JSON API (/api/), the agent console (/console/) and the self-service
    portal (/portal/) with uvicorn.

    The secret that signs logins is $LINEWISE_SECRET, else a file made beside the store.

    \b
    Example:
      LINEWISE_ADMIN_PASSWORD=... linewise serve --admin admin --port 8000
    """
    import uvicorn

    path = _store_path(store_path)
    kb = load_all(packs)  # a broken pack fails here, before the server starts
    for mapping_path in helpdesks:  # and so does a broken mapping or a missing secret
        mapping = load_mapping(mapping_path, kb)
        if mapping.helpdesk in ("zammad", "glpi"):
            mapping.secret()  # its webhooks are verified with it
        if mapping.url:
            mapping.token()  # written back to (and RT polled) in the background
    load_secret(path)  # made (or imported) once, before the workers read it from the store
    if admin:
        password = os.environ.get("LINEWISE_ADMIN_PASSWORD") or getpass.getpass(
            f"password for {admin}: "
        )
        accounts = Accounts.open(path, legacy=Settings(store_path=path, secret="").accounts_path)
        accounts.add_user(admin, password, "admin")
        accounts.close()
    os.environ["LINEWISE_SERVE"] = json.dumps(
        {
            "store": str(path),
            "lang": lang,
            "portal": not no_portal,
            "packs": [str(p) for p in packs],
            "helpdesks": [str(p.resolve()) for p in helpdesks],
        }
    )
    click.echo(
        f"linewise: console http://{host}:{port}/console/  portal http://{host}:{port}/portal/  "
        f"API http://{host}:{port}/api/docs  (store {path})",
        err=True,
    )
    logging.getLogger("linewise.access").setLevel(logging.INFO)
    uvicorn.run(
        "web.main:app",
        host=host,
        port=port,
        workers=workers,
        factory=True,
        access_log=False,  # ours is structured (web.middleware.AccessLog)
        timeout_keep_alive=30,
        log_level="warning",
    )


@click.group("user")
def user() -> None:
    """Web accounts: agents with roles, and API tokens.

    \b
    Example:
      linewise user add anna --role line1
    """


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@store_option
@json_option
def add(name: str, role: str, password_stdin: bool, store_path: str | None, as_json: bool) -> None:
    """Add an account (or set a new password and role); the password is hashed (argon2).

    \b
    Example:
      echo 's3cret-pass' | linewise user add anna --role line1 --password-stdin
    """
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {name}: ")
        if getpass.getpass("again: ") != password:
            raise InvalidInput("the two passwords differ")
    accounts = _accounts(store_path)
    made = accounts.add_user(name, password, role)
    if as_json:
        echo_json({"name": made.name, "role": made.role, "title": made.title})
        return
    click.echo(f"{made.name}: {made.title}")


@user.command("token")
@click.argument("name")
@click.option("--label", default="", help="What the token is for.")
@store_option
@json_option
def token(name: str, label: str, store_path: str | None, as_json: bool) -> None:
    """Make an API bearer token for an account (shown once; only its hash is kept).

    \b
    Example:
      linewise user token anna --label helpdesk
    """
    made = _accounts(store_path).new_token(name, label)
    if as_json:
        echo_json({"name": name, "label": label, "token": made})
        return
    click.echo(made)


@user.command("list")
@store_option
@json_option
def list_users(store_path: str | None, as_json: bool) -> None:
    """The accounts and their roles.

    \b
    Example:
      linewise user list
    """
    users = _accounts(store_path).users()
    if as_json:
        echo_json([{"name": u.name, "role": u.role, "title": u.title} for u in users])
        return
    for found in users:
        click.echo(f"{found.name}\t{found.role}\t{found.title}")


def _accounts(store_path: str | None) -> Accounts:
    path = _store_path(store_path)
    return Accounts.open(path, legacy=Settings(store_path=path, secret="").accounts_path)
