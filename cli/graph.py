"""`linewise graph render`: decision graphs as pictures for trainers (DOT, Mermaid, SVG, PDF)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import click

from cases.sla import load_service_levels
from cases.store import open_reader
from cases.traffic import case_diagnosis, stored_diagnoses
from cli.guided import store_option
from cli.options import Number, lang_option, load_all, packs_option
from engine.compile import CompiledKnowledge, compile_knowledge
from engine.graph import build_graph
from engine.guided import DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES, guided_tree
from engine.result import Diagnosis
from rules.errors import Diagnostic, InputError, UnknownIdError, did_you_mean
from rules.knowledge import KnowledgeBase
from rules.limits import LimitExceeded, read_bounded
from visualize.backend import BINARY_FORMATS, render_bytes
from visualize.dot import to_dot
from visualize.guided import guided_picture
from visualize.knowledge import knowledge_picture
from visualize.mermaid import to_mermaid
from visualize.overlay import highlight, trace_path, traffic, tree_path
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
        return Diagnosis.model_validate_json(read_bounded(path))
    except LimitExceeded as err:
        raise InputError([Diagnostic(str(path), 0, 0, "", err.message, err.hint)]) from err
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
) -> tuple[KnowledgeBase, str, int]:
    """The packs to draw, a name for the title, and the support line they run at."""
    if pack is not None:
        if pack not in kb.packs:
            raise UnknownIdError(f"unknown pack '{pack}'", hint=did_you_mean(pack, kb.packs))
        return kb.subset([pack]), pack, kb.packs[pack].pack.line
    if fault is not None:
        owner = kb.fault_pack(kb.fault(fault).id)
        at = kb.packs[owner].pack.line
        return kb.for_line(at), fault, at
    return kb.for_line(line or 1), f"Line {line or 1}", line or 1


@dataclass(frozen=True)
class Overlay:
    """Where the sessions to draw come from."""

    trace: Path | None = None
    case: str | None = None
    traces: Path | None = None
    traffic: bool = False
    store: str | None = None


def _sessions(
    overlay: Overlay, compiled: CompiledKnowledge, line: int
) -> tuple[Diagnosis | None, list[Diagnosis]]:
    one = read_trace(overlay.trace) if overlay.trace else None
    many = [read_trace(p) for p in sorted(overlay.traces.glob("*.json"))] if overlay.traces else []
    if overlay.case is not None or overlay.traffic:
        store = open_reader(overlay.store)
        if overlay.case is not None:
            one = case_diagnosis(store, overlay.case, compiled, line)
        if overlay.traffic:
            many.extend(stored_diagnoses(store, compiled, line))
    return one, many


def build_picture(
    kb: KnowledgeBase,
    *,
    pack: str | None,
    line: int | None,
    fault: str | None,
    view: str,
    lang: str,
    overlay: Overlay,
    limits: tuple[int, int] = (DEFAULT_MAX_NODES, DEFAULT_MAX_DEPTH),
) -> Picture:
    """The picture the options ask for (the engine builds the data, visualize draws it)."""
    scoped, name, at = _scope(kb, pack, line, fault)
    compiled = compile_knowledge(scoped, name="GraphKnowledge")
    graph = build_graph(compiled)
    title = f"{word(lang, view)}: {name}"
    one, many = _sessions(overlay, compiled, at)
    if view == "knowledge":
        picture = knowledge_picture(graph, title=title, lang=lang, fault=fault)
        paths = [trace_path(picture, d) for d in many]
        path = trace_path(picture, one) if one is not None else None
    else:
        symptoms = _symptoms(scoped, pack, fault)
        tree = guided_tree(
            compiled,
            line=at,
            symptoms=symptoms,
            budget=load_service_levels().budget(None, at),
            lang=lang,
            max_nodes=limits[0],
            max_depth=limits[1],
        )
        titles = {s: scoped.symptoms[s].title for s in symptoms}
        picture = guided_picture(graph, tree, title=title, symptoms=titles, lang=lang)
        paths = [tree_path(tree, d) for d in many]
        path = tree_path(tree, one) if one is not None else None
    if many:
        picture = traffic(picture, paths)
    if path is not None:
        picture = highlight(picture, path)
    return picture


def _symptoms(kb: KnowledgeBase, pack: str | None, fault: str | None) -> list[str]:
    """The symptoms whose trees to draw: the pack's, the fault's pack's, or the line's."""
    owner = pack or (kb.fault_pack(fault) if fault is not None else None)
    if owner is not None:
        own = [s.id for s in kb.packs[owner].pack.symptoms]
        if own:
            return sorted(own)
    return sorted(kb.symptoms)


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
    "--line",
    type=Number(1, 4, whole=True),
    default=None,
    help="Draw one support line [default: 1].",
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
@click.option("--case", "case_id", default=None, help="Highlight one stored case's path.")
@click.option(
    "--trace",
    "trace_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Highlight one session from a `diagnose --json` file.",
)
@click.option("--traffic", is_flag=True, help="Size branches by how often stored cases took them.")
@click.option(
    "--traces",
    "traces_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Traffic from a folder of `diagnose --json` files (besides --traffic's store).",
)
@click.option(
    "--max-nodes",
    type=Number(2, whole=True),
    default=DEFAULT_MAX_NODES,
    show_default=True,
    help="Guided view: nodes before the tree is truncated.",
)
@click.option(
    "--max-depth",
    type=Number(1, whole=True),
    default=DEFAULT_MAX_DEPTH,
    show_default=True,
    help="Guided view: questions on one path before it is truncated.",
)
@store_option
@packs_option
@lang_option
def render(
    pack: str | None,
    line: int | None,
    fault: str | None,
    view: str,
    fmt: str | None,
    output: Path | None,
    case_id: str | None,
    trace_file: Path | None,
    traffic: bool,
    traces_dir: Path | None,
    max_nodes: int,
    max_depth: int,
    store_path: str | None,
    packs: tuple[Path, ...],
    lang: str,
) -> None:
    """Render a decision graph as SVG, PNG, PDF (needs Graphviz), DOT or Mermaid.

    \b
    Examples:
      linewise graph render --pack network-wired --view guided -o wired.png
      linewise diagnose -i complaint=wired_no_network -a wired_cable_seated=no --json > t.json
      linewise graph render --pack network-wired --trace t.json -o case.svg
      linewise graph render --line 1 --view guided --traffic -o traffic.svg
    """
    if sum(x is not None for x in (pack, line, fault)) > 1:
        raise click.UsageError("give at most one of --pack, --line, --fault")
    chosen = fmt or (SUFFIXES.get(output.suffix.lower()) if output else None) or "dot"
    if case_id is not None and trace_file is not None:
        raise click.UsageError("give --case or --trace, not both")
    picture = build_picture(
        load_all(packs),
        pack=pack,
        line=line,
        fault=fault,
        view=view,
        lang=lang,
        overlay=Overlay(trace_file, case_id, traces_dir, traffic, store_path),
        limits=(max_nodes, max_depth),
    )
    if chosen == "mermaid":
        data = to_mermaid(picture).encode("utf-8")
    elif chosen == "dot":
        data = to_dot(picture).encode("utf-8")
    else:
        data = render_bytes(to_dot(picture), chosen)
    if output is None and chosen in BINARY_FORMATS:
        sys.stdout.buffer.write(data)
    elif output is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        output.write_bytes(data)
        click.echo(f"wrote {output} ({chosen}, {len(picture.nodes)} nodes)", err=True)
