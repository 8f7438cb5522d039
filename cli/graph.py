"""`linewise graph render`: decision graphs as pictures for trainers (DOT, Mermaid, SVG, PDF)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from cases.sla import load_service_levels
from cases.store import open_reader
from cases.traffic import case_diagnosis, stored_diagnoses
from cli.guided import store_option
from cli.options import Number, echo_json, json_option, lang_option, load_all, packs_option
from engine.compile import CompiledKnowledge, compile_knowledge
from engine.graph import build_graph
from engine.guided import DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES, guided_tree
from engine.possible import number_bounds
from engine.result import Diagnosis
from rules.errors import Diagnostic, InputError, InvalidInput, UnknownIdError, did_you_mean
from rules.knowledge import KnowledgeBase
from rules.limits import LimitExceeded, read_bounded
from visualize.backend import BINARY_FORMATS
from visualize.gallery import Written, picture_bytes, write_gallery
from visualize.guided import follow_on, guided_picture, shared_ids
from visualize.knowledge import knowledge_picture
from visualize.overlay import Path as Drawn
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
    complaints: list[str] | None = None,
) -> Picture:
    """The picture the options ask for (the engine builds the data, visualize draws it)."""
    return build_pictures(
        kb,
        pack=pack,
        line=line,
        fault=fault,
        view=view,
        lang=lang,
        overlay=overlay,
        limits=limits,
        complaints=complaints,
    )[0][1]


def build_pictures(
    kb: KnowledgeBase,
    *,
    pack: str | None,
    line: int | None,
    fault: str | None,
    view: str,
    lang: str,
    overlay: Overlay,
    limits: tuple[int, int] = (DEFAULT_MAX_NODES, DEFAULT_MAX_DEPTH),
    complaints: list[str] | None = None,
    split: bool = False,
) -> list[tuple[str | None, Picture]]:
    """The pictures the options ask for: one, or (guided view, `split`) one per complaint,
    each with its complaint id. `complaints` limits the guided view to these complaints."""
    scoped, name, at = _scope(kb, pack, line, fault)
    compiled = compile_knowledge(scoped, name="GraphKnowledge")
    graph = build_graph(compiled)
    title = f"{word(lang, view)}: {name}"
    one, many = _sessions(overlay, compiled, at)
    if view == "knowledge":
        if split or complaints:
            raise click.UsageError("--complaint and --per-complaint go with --view guided")
        picture = knowledge_picture(graph, title=title, lang=lang, fault=fault)
        paths = [trace_path(picture, d) for d in many]
        path = trace_path(picture, one) if one is not None else None
        return [(None, _overlaid(picture, paths, path))]
    symptoms = _symptoms(scoped, pack, fault)
    if complaints is not None:
        for wanted in complaints:
            if wanted not in scoped.symptoms:
                raise UnknownIdError(
                    f"unknown complaint '{wanted}' in {name}",
                    hint=did_you_mean(wanted, scoped.symptoms),
                )
        symptoms = [s for s in sorted(scoped.symptoms) if s in complaints]
    groups = [[s] for s in symptoms] if split else [symptoms]
    numbers = {
        q.id: number_bounds(compiled, q.id) for q in scoped.questions.values() if q.type == "number"
    }
    out: list[tuple[str | None, Picture]] = []
    for group in groups:
        tree = guided_tree(
            compiled,
            line=at,
            symptoms=group,
            budget=load_service_levels().budget(None, at),
            lang=lang,
            max_nodes=limits[0],
            max_depth=limits[1],
        )
        titles = {s: scoped.symptoms[s].title for s in group}
        heading = title
        if len(group) == 1 and (split or complaints is not None):
            heading = f"{title} — {titles[group[0]].get(lang)}"
        picture = guided_picture(
            graph, tree, title=heading, symptoms=titles, lang=lang, bounds=numbers
        )
        ids = shared_ids(tree)
        tree_paths = [tree_path(tree, d, ids, numbers) for d in many]
        one_path = tree_path(tree, one, ids, numbers) if one is not None else None
        if one_path is not None:
            picture, one_path = follow_on(picture, graph, one_path)
        out.append((group[0] if split else None, _overlaid(picture, tree_paths, one_path)))
    return out


def _overlaid(picture: Picture, many: list[Drawn], one: Drawn | None) -> Picture:
    if many:
        picture = traffic(picture, many)
    if one is not None:
        picture = highlight(picture, one)
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
@click.option(
    "--complaint",
    "complaints",
    multiple=True,
    help="Guided view: draw only this complaint (repeat for more).",
)
@click.option(
    "--per-complaint",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Guided view: one file per complaint in this folder, and index.html linking them "
    "[format: --format, default svg].",
)
@store_option
@packs_option
@lang_option
@json_option
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
    complaints: tuple[str, ...],
    folder: Path | None,
    store_path: str | None,
    packs: tuple[Path, ...],
    lang: str,
    as_json: bool,
) -> None:
    """Render a decision graph as SVG, PNG, PDF (needs Graphviz), DOT or Mermaid.

    The guided view draws the questions a session asks as a graph where branches that
    go on the same way meet (each repeated part drawn once); number answers show the
    range they stand for. For a whole line, --per-complaint DIR writes one picture per
    complaint and an index.html. A case overlay (--case, --trace) marks a fix that did
    not work and shows where the session went next. With --json, what was written is
    printed as JSON.

    \b
    Examples:
      linewise graph render --pack network-wired --view guided -o wired.png
      linewise diagnose -i complaint=wired_no_network -a wired_cable_seated=no --json > t.json
      linewise graph render --pack network-wired --trace t.json -o case.svg
      linewise graph render --line 1 --view guided --traffic -o traffic.svg
      linewise graph render --line 1 --view guided --per-complaint line1/
    """
    if sum(x is not None for x in (pack, line, fault)) > 1:
        raise click.UsageError("give at most one of --pack, --line, --fault")
    chosen = fmt or (SUFFIXES.get(output.suffix.lower()) if output else None) or "dot"
    if case_id is not None and trace_file is not None:
        raise click.UsageError("give --case or --trace, not both")
    overlay = Overlay(trace_file, case_id, traces_dir, traffic, store_path)
    options: dict[str, Any] = {
        "pack": pack,
        "line": line,
        "fault": fault,
        "view": view,
        "lang": lang,
        "overlay": overlay,
        "limits": (max_nodes, max_depth),
        "complaints": list(complaints) or None,
    }
    if folder is not None:
        if output is not None:
            raise click.UsageError("give -o or --per-complaint, not both")
        pictures = build_pictures(load_all(packs), split=True, **options)
        name = pictures[0][1].title.split(" — ")[0] if pictures else word(lang, view)
        split = [(c or "", p) for c, p in pictures]
        written = write_gallery(split, folder, fmt or "svg", name)
        if as_json:
            echo_json([w.as_dict() for w in written])
        else:
            click.echo(f"wrote {len(written)} pictures and {folder / 'index.html'}", err=True)
        return
    ((_, picture),) = build_pictures(load_all(packs), **options)
    data = picture_bytes(picture, chosen)
    if output is None and as_json:
        raise click.UsageError("--json says what was written: give -o FILE or --per-complaint")
    if output is None and chosen in BINARY_FORMATS:
        sys.stdout.buffer.write(data)
    elif output is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        if not output.parent.is_dir():  # before the picture is lost to a traceback
            raise InvalidInput(
                f"no folder '{output.parent}' to write {output.name} into",
                hint="create the folder first, or give -o a path in an existing one",
            )
        output.write_bytes(data)
        done = Written(str(output), chosen, picture.title, len(picture.nodes), len(picture.edges))
        if as_json:
            echo_json(done.as_dict())
        else:
            click.echo(f"wrote {output} ({chosen}, {len(picture.nodes)} nodes)", err=True)
