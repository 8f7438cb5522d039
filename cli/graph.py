"""`linewise graph render`: decision graphs as pictures for trainers (DOT, Mermaid, SVG, PDF)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.options import lang_option, load_all, packs_option
from engine.compile import compile_knowledge
from engine.graph import build_graph
from engine.result import Diagnosis
from rules.errors import Diagnostic, InputError, UnknownIdError, did_you_mean
from rules.knowledge import KnowledgeBase
from visualize.backend import BINARY_FORMATS, render_bytes
from visualize.dot import to_dot
from visualize.knowledge import knowledge_picture
from visualize.mermaid import to_mermaid
from visualize.overlay import highlight, trace_path, traffic
from visualize.picture import Picture
from visualize.style import word

FORMATS = ("svg", "png", "pdf", "dot", "mermaid")
SUFFIXES = {
    ".svg": "svg",
    ".png": "png",
    ".pdf": "pdf",
    ".dot": "dot",
    ".gv": "dot",
    ".mmd": "mermaid",
}


def read_trace(path: Path) -> Diagnosis:
    """A Diagnosis JSON file (as printed by `linewise diagnose --json`)."""
    from pydantic import ValidationError

    try:
        return Diagnosis.model_validate_json(path.read_bytes())
    except OSError as err:
        raise InputError([Diagnostic(str(path), 0, 0, "", f"cannot read: {err.strerror}")]) from err
    except ValidationError as err:
        first = err.errors()[0]
        raise InputError(
            [
                Diagnostic(
                    str(path),
                    0,
                    0,
                    ".".join(str(p) for p in first["loc"]),
                    f"not a diagnosis trace: {first['msg']}",
                    hint="write one with 'linewise diagnose --json > trace.json'",
                )
            ]
        ) from err


def _scope(
    kb: KnowledgeBase, pack: str | None, line: int | None, fault: str | None
) -> tuple[KnowledgeBase, str]:
    if pack is not None:
        if pack not in kb.packs:
            raise UnknownIdError(f"unknown pack '{pack}'", hint=did_you_mean(pack, kb.packs))
        return kb.subset([pack]), pack
    if fault is not None:
        kb.fault(fault)
        return kb, fault
    return kb.for_line(line or 1), f"Line {line or 1}"


def build_picture(
    kb: KnowledgeBase,
    *,
    pack: str | None,
    line: int | None,
    fault: str | None,
    view: str,
    lang: str,
    trace: Diagnosis | None,
    traces: list[Diagnosis],
) -> Picture:
    """The picture the options ask for (the engine builds the data, visualize draws it)."""
    scoped, name = _scope(kb, pack, line, fault)
    compiled = compile_knowledge(scoped, name="GraphKnowledge")
    graph = build_graph(compiled)
    title = f"{word(lang, view)}: {name}"
    picture = knowledge_picture(graph, title=title, lang=lang, fault=fault)
    if traces:
        picture = traffic(picture, [trace_path(picture, t) for t in traces])
    if trace is not None:
        picture = highlight(picture, trace_path(picture, trace))
    return picture


@click.group()
def graph() -> None:
    """Draw the decision graph for trainers.

    \b
    Example:
      linewise graph render --line 1 -o line1.svg
    """


@graph.command()
@click.option("--pack", default=None, help="Draw one pack (with the packs it requires).")
@click.option(
    "--line", type=click.IntRange(1, 4), default=None, help="Draw one support line [default: 1]."
)
@click.option("--fault", default=None, help="Draw what leads to one fault.")
@click.option(
    "--view",
    type=click.Choice(["knowledge", "guided"]),
    default="knowledge",
    show_default=True,
    help="knowledge: rules, facts, faults; guided: the questions a session asks.",
)
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default=None, help="[default: from -o, else dot]"
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Write here (default: stdout).",
)
@click.option(
    "--trace",
    "trace_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Highlight one session: a `diagnose --json` file.",
)
@click.option(
    "--traffic",
    "traffic_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Size edges by how many sessions took them: a folder of `diagnose --json` files.",
)
@packs_option
@lang_option
def render(
    pack: str | None,
    line: int | None,
    fault: str | None,
    view: str,
    fmt: str | None,
    output: Path | None,
    trace_file: Path | None,
    traffic_dir: Path | None,
    packs: tuple[Path, ...],
    lang: str,
) -> None:
    """Render a decision graph as SVG, PNG, PDF (needs Graphviz), DOT or Mermaid.

    \b
    Examples:
      linewise graph render --pack network-wired --view guided -o wired.png
      linewise diagnose -i complaint=wired_no_network -a wired_cable_seated=no --json > t.json
      linewise graph render --pack network-wired --trace t.json -o case.svg
    """
    if sum(x is not None for x in (pack, line, fault)) > 1:
        raise click.UsageError("give at most one of --pack, --line, --fault")
    chosen = fmt or (SUFFIXES.get(output.suffix.lower()) if output else None) or "dot"
    trace = read_trace(trace_file) if trace_file else None
    traces = [read_trace(p) for p in sorted(traffic_dir.glob("*.json"))] if traffic_dir else []
    picture = build_picture(
        load_all(packs),
        pack=pack,
        line=line,
        fault=fault,
        view=view,
        lang=lang,
        trace=trace,
        traces=traces,
    )
    if chosen == "mermaid":
        data = to_mermaid(picture).encode("utf-8")
    elif chosen == "dot":
        data = to_dot(picture).encode("utf-8")
    else:
        data = render_bytes(to_dot(picture), chosen)
    if output is None:
        sys.stdout.buffer.write(data) if chosen in BINARY_FORMATS else click.echo(
            data.decode(), nl=False
        )
    else:
        output.write_bytes(data)
        click.echo(f"wrote {output} ({chosen}, {len(picture.nodes)} nodes)", err=True)
