"""`linewise diagnose` and `linewise explain`: a diagnosis from given answers."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from cli import batch, guided
from cli.options import Number, compiled_for_line, json_option, lang_option, load_all, packs_option
from engine.answers import parse_assignments, read_case_input, to_facts
from engine.api import Linewise
from engine.compile import CompiledKnowledge
from engine.diagnose import DEFAULT_THRESHOLD, said
from engine.diagnose import diagnose as run_diagnosis
from engine.explain import how, why_not
from engine.result import Diagnosis
from present.diagnosis import conclusion_document, diagnosis_document, how_visible
from present.explain import whynot_from
from present.say import said_texts
from present.text import document_lines, plain, said_lines
from present.views import Document


def _inputs(func: Any) -> Any:
    for option in reversed(
        [
            click.option(
                "--answer",
                "-a",
                "answer",
                multiple=True,
                metavar="QUESTION=VALUE",
                help="An answer (repeatable); 'unknown' if the customer cannot tell.",
            ),
            click.option(
                "--answers",
                "answers_files",
                multiple=True,
                type=click.Path(path_type=Path),
                help="A YAML/JSON file with 'intake' and 'answers' (a golden case works); "
                "diagnose: repeatable, a folder, JSON Lines (.jsonl, one case a line) or '-' "
                "(JSON Lines on stdin), one result per input.",
            ),
            click.option(
                "--intake",
                "-i",
                "intake",
                multiple=True,
                metavar="FIELD=VALUE",
                help="An intake field, e.g. complaint=wired_no_network (repeatable).",
            ),
            click.option(
                "--line",
                type=Number(1, 4, whole=True),
                default=None,
                help="The support line whose packs run; interactive: the line that opens "
                "the case (a specialist's own ticket) [default: the file's, else 1].",
            ),
            click.option(
                "--threshold",
                type=Number(0, 1),
                default=DEFAULT_THRESHOLD,
                show_default=True,
                help="Certainty at which a fault is firm.",
            ),
            packs_option,
            lang_option,
            json_option,
        ]
    ):
        func = option(func)
    return func


_INTAKE_OPTIONS = (
    ("--customer", "customer", "Who the customer is."),
    ("--location", "location", "Where the customer and the equipment are."),
    ("--equipment-type", "equipment_type", "Kind of equipment (laptop, printer, ...)."),
    ("--model", "equipment_model", "Make and model of the equipment."),
    ("--serial", "equipment_serial", "Serial number or asset id."),
    ("--service-form", "service_form", "warranty, paid, premium or self_service."),
    ("--channel", "channel", "phone, email, chat, remote or on_site."),
    ("--complaint", "complaint", "The complaint: a symptom id the packs declare."),
)


def _intake_options(func: Any) -> Any:
    for flag, name, text in reversed(_INTAKE_OPTIONS):
        func = click.option(flag, name, default=None, help=text)(func)
    return func


def _given_intake(intake: tuple[str, ...], fields: dict[str, str | None] | None) -> dict[str, Any]:
    """Intake from `--intake FIELD=VALUE` and the named intake options (these win)."""
    return {**parse_assignments(list(intake)), **{k: v for k, v in (fields or {}).items() if v}}


def _run(
    answer: tuple[str, ...],
    answers_file: Path | None,
    intake: tuple[str, ...],
    line: int | None,
    threshold: float,
    packs: tuple[Path, ...],
    lang: str,
    fields: dict[str, str | None] | None = None,
) -> tuple[CompiledKnowledge, Diagnosis]:
    kb = load_all(packs)
    intake_values: dict[str, Any] = {}
    answer_values: dict[str, Any] = {}
    fixes: dict[str, Any] = {}
    source = None
    file_line = None
    if answers_file is not None:
        loaded = read_case_input(answers_file)
        intake_values.update(loaded.case.intake)
        answer_values.update(loaded.case.answers)
        fixes = loaded.case.fixes
        source = loaded.source
        file_line = loaded.case.line
    chosen_line = line or file_line or 1
    compiled = compiled_for_line(kb, chosen_line)
    facts = to_facts(compiled.kb, intake_values, answer_values, source, fixes=fixes)
    # command-line values override the file's
    extra = to_facts(compiled.kb, _given_intake(intake, fields), parse_assignments(list(answer)))
    for fact in extra:
        facts.put(fact)
    facts.fixes.update(extra.fixes)
    return compiled, run_diagnosis(
        compiled, facts, line=chosen_line, threshold=threshold, lang=lang
    )


def _default_why_not(diagnosis: Diagnosis, compiled: CompiledKnowledge) -> list[str]:
    """Faults of the packs that took part, other than the ones concluded."""
    packs = {f.rule.split("/")[0] for f in diagnosis.trace if f.status == "applied"}
    concluded = {f.id for f in diagnosis.faults if f.firm}
    return [
        fid
        for fid in compiled.kb.faults
        if compiled.kb.fault_pack(fid) in packs and fid not in concluded
    ]


@click.command()
@_inputs
@click.option("--explain", "with_explain", is_flag=True, help="Add HOW and WHY NOT to the output.")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="With given answers: internal (bookkeeping) facts too, in what is known and HOW.",
)
@_intake_options
@guided.store_option
@guided.ids_option
def diagnose(
    answer: tuple[str, ...],
    answers_files: tuple[Path, ...],
    intake: tuple[str, ...],
    line: int | None,
    threshold: float,
    packs: tuple[Path, ...],
    lang: str,
    as_json: bool,
    with_explain: bool,
    everything: bool,
    store_path: str | None,
    ids: bool,
    **fields: str | None,
) -> None:
    """Guide a diagnosis question by question, or diagnose from given answers.

    Without --answer/--answers it is interactive: the intake (options, checked first,
    else prompted), then one question at a time; at any prompt: why, how, whynot FAULT,
    back, unknown, recap, help, escalate, ids, quit. Every answer is saved to the case
    store as it is given.

    \b
    Examples:
      linewise diagnose --complaint wired_no_network --service-form paid --channel phone
      linewise diagnose -i complaint=wired_no_network -a wired_cable_seated=no
      linewise diagnose --answers cases/golden/network-wired/wired-cable-faulty.yaml --json
    """
    if batch.is_batch(answers_files):
        if with_explain:
            raise click.UsageError("--explain takes one answers file, not a batch")
        added = batch.Given(
            _given_intake(intake, dict(fields)), parse_assignments(list(answer)), line
        )
        lw = Linewise(load_all(packs), threshold=threshold)
        code = batch.run_batch(
            lw,
            answers_files,
            added,
            lang=lang,
            as_json=as_json,
            document=_document(ids, lang, everything),
            everything=everything,
        )
        click.get_current_context().exit(code)
    answers_file = answers_files[0] if answers_files else None
    if not answer and answers_file is None:
        kb = load_all(packs)
        given = _given_intake(intake, dict(fields))
        code = guided.start(
            kb, store_path, given, threshold=threshold, lang=lang, line=line or 1, ids=ids
        )
        click.get_current_context().exit(code)
    compiled, diagnosis = _run(
        answer, answers_file, intake, line, threshold, packs, lang, dict(fields)
    )
    explanation = _explanation(compiled, diagnosis, ()) if with_explain else None
    if explanation is not None and not everything:
        explanation["how"] = how_visible(explanation["how"], compiled.kb)
    texts = said_texts(said(compiled, diagnosis), compiled.kb, lang)
    if as_json:
        data = batch.diagnosis_json(diagnosis, compiled.kb, texts, everything=everything)
        if explanation is not None:
            data["explanation"] = explanation
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    docs = [diagnosis_document(diagnosis, compiled.kb, lang, everything=everything)]
    if explanation is not None:
        docs += _explanation_docs(explanation, compiled, diagnosis, lang, everything)
    _echo(docs, ids, texts)


def _explanation(
    compiled: CompiledKnowledge,
    diagnosis: Diagnosis,
    faults: tuple[str, ...],
    fault: str | None = None,
) -> dict[str, Any]:
    """HOW (the outcome, or `fault`) and WHY NOT (`faults`, else the other faults nearby)."""
    targets = list(faults) or _default_why_not(diagnosis, compiled)
    return {
        "how": how(diagnosis, fault),
        "why_not": [why_not(compiled, diagnosis, f) for f in targets],
    }


def _explanation_docs(
    explanation: dict[str, Any],
    compiled: CompiledKnowledge,
    diagnosis: Diagnosis,
    lang: str,
    everything: bool = False,
) -> list[Document]:
    """HOW and WHY NOT as people read them (present/)."""
    docs = [conclusion_document(explanation["how"], compiled.kb, lang, everything=everything)]
    docs += [
        whynot_from(
            data,
            compiled.kb,
            lang,
            score=diagnosis.fault(data["fault"]),
            threshold=diagnosis.threshold,
        )
        for data in explanation["why_not"]
    ]
    return docs


def _document(ids: bool, lang: str, everything: bool) -> Any:
    """How the batch prints one diagnosis as text (what rules say first)."""

    def render(diagnosis: Diagnosis, kb: Any, width: int, texts: list[str]) -> str:
        doc = diagnosis_document(diagnosis, kb, lang, everything=everything)
        return _said_text(texts, width) + plain(document_lines(doc, width, ids=ids))

    return render


def _said_text(texts: list[str], width: int) -> str:
    """What rules say, set apart as in a guided session (`» ...`), before the outcome."""
    lines = said_lines(texts, width)
    return plain(lines[1:]) + "\n\n" if lines else ""


def _echo(docs: list[Document], ids: bool, texts: Sequence[str] = ()) -> None:
    width = shutil.get_terminal_size((80, 24)).columns
    shown = "\n\n".join(plain(document_lines(d, width, ids=ids)) for d in docs)
    click.echo(_said_text(list(texts), width) + shown)


@click.command()
@_inputs
@click.option(
    "--fault", "fault", default=None, help="Explain HOW this fault was (or was not) reached."
)
@click.option(
    "--why-not",
    "why_not_faults",
    multiple=True,
    metavar="FAULT",
    help="Explain WHY NOT this fault (repeatable) [default: other faults of the packs that fired].",
)
@click.option("--all", "everything", is_flag=True, help="Internal (bookkeeping) facts too, in HOW.")
@guided.ids_option
def explain(
    answer: tuple[str, ...],
    answers_files: tuple[Path, ...],
    intake: tuple[str, ...],
    line: int | None,
    threshold: float,
    packs: tuple[Path, ...],
    lang: str,
    as_json: bool,
    fault: str | None,
    why_not_faults: tuple[str, ...],
    everything: bool,
    ids: bool,
) -> None:
    """Explain a diagnosis: HOW it was reached and WHY NOT other faults.

    \b
    Example:
      linewise explain -i complaint=wired_no_network -a wired_cable_seated=no \\
        --why-not wired_cable_faulty
    """
    if len(answers_files) > 1:
        raise click.UsageError("explain takes one --answers file")
    answers_file = answers_files[0] if answers_files else None
    compiled, diagnosis = _run(answer, answers_file, intake, line, threshold, packs, lang)
    if fault is not None:
        compiled.kb.fault(fault)
    data = _explanation(compiled, diagnosis, why_not_faults, fault)
    if not everything:
        data["how"] = how_visible(data["how"], compiled.kb)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _echo(_explanation_docs(data, compiled, diagnosis, lang, everything), ids)
