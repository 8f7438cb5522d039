"""`linewise resume`: continue a stored case where it stopped."""

from __future__ import annotations

from pathlib import Path

import click

from cli import guided
from cli.options import Number, lang_option, load_all, packs_option
from engine.diagnose import DEFAULT_THRESHOLD


@click.command()
@click.argument("case_id", metavar="CASE")
@guided.store_option
@packs_option
@lang_option
@guided.ids_option
@click.option(
    "--threshold",
    type=Number(0, 1),
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="Certainty at which a fault is firm.",
)
@click.option(
    "--allow-pack-change",
    is_flag=True,
    help="Continue even if the packs' versions differ from the ones the case used.",
)
def resume(
    case_id: str,
    store_path: str | None,
    packs: tuple[Path, ...],
    lang: str,
    ids: bool,
    threshold: float,
    allow_pack_change: bool,
) -> None:
    """Continue a case where it stopped; an escalated case starts the next line's session.

    \b
    Example:
      linewise resume C-000042
    """
    code = guided.resume(
        load_all(packs),
        store_path,
        case_id,
        threshold=threshold,
        lang=lang,
        allow_pack_change=allow_pack_change,
        ids=ids,
    )
    click.get_current_context().exit(code)
