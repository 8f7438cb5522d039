"""`linewise pack import`: decision tables and draw.io flowcharts become packs that pass."""

from __future__ import annotations

import base64
import json
import re
import zlib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cli.main import cli
from rules.drawio import read_drawio
from rules.errors import InputError
from rules.import_flow import flow_pack
from rules.import_table import table_pack
from rules.importing import PackMeta
from rules.table_read import read_table

DATA = Path(__file__).parent / "data" / "import"


def run(*argv: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(argv))
    return result.exit_code, result.stdout, result.stderr


def imported(tmp_path: Path, source: Path, *extra: str) -> dict[str, object]:
    code, out, err = run("pack", "import", str(source), "--out", str(tmp_path), "--json", *extra)
    assert code == 0, out + err
    summary: dict[str, object] = json.loads(out)
    return summary


def test_csv_table_becomes_a_pack_whose_cases_pass(tmp_path: Path) -> None:
    summary = imported(tmp_path, DATA / "printer-table.csv", "--id", "printer-imp")
    assert summary["cases"] == summary["passed"] == 7
    pack = yaml.safe_load((tmp_path / "printer-imp.yaml").read_text())
    kinds = {q["text"]: q["type"] for q in pack["questions"]}
    assert kinds == {
        "Is the printer switched on?": "yesno",
        "What does the display show?": "choice",
        "Toner left (%)": "number",
        "Can colleagues print to it?": "yesno",
    }
    toner = next(r for r in pack["rules"] if r["id"] == "toner")
    assert {"question": "printer_imp_toner_left", "less_than": 5} in toner["when"]["all"]
    assert pack["rules"][-1]["fallback"] is True
    driver = yaml.safe_load((tmp_path / "golden" / "printer-imp" / "row-7.yaml").read_text())
    assert driver["expect"] == {"escalate": 2, "kind": "below_threshold"}  # certainty 0.6
    # the pack passes validate and check, and `linewise test` replays the cases
    assert run("pack", "validate", str(tmp_path))[0] == 0
    code, out, _ = run("test", str(tmp_path), "--packs", str(tmp_path), "-j", "1")
    assert code == 0 and "7 passed" in out


def test_first_row_that_matches_wins(tmp_path: Path) -> None:
    """Row 'toner' needs answers that the earlier rows do not catch: printer on, no jam."""
    imported(tmp_path, DATA / "printer-table.csv", "--id", "printer-imp")
    case = yaml.safe_load((tmp_path / "golden" / "printer-imp" / "row-4.yaml").read_text())
    assert case["answers"]["printer_imp_is_the_printer_switched_on"] is True
    assert case["answers"]["printer_imp_what_does_the_display_show"] in ("ready", "toner_low")
    assert case["answers"]["printer_imp_toner_left"] < 5


def test_xlsx_table_reads_like_csv(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in (DATA / "printer-table.csv").read_text().splitlines():
        sheet.append([float(v) if v.replace(".", "").isdigit() else v for v in line.split(",")])
    book.save(tmp_path / "printer.xlsx")
    summary = imported(tmp_path / "out", tmp_path / "printer.xlsx")
    assert summary["cases"] == summary["passed"] == 7


def test_table_errors_name_the_cell(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Light on?,Speed,conclusion\nyes,fast,Cable\nno,< 5,Port dead\nmaybe,,\n")
    with pytest.raises(InputError) as caught:
        table_pack(read_table(bad, "bad.csv"), PackMeta("bad"), "bad.csv")
    text = caught.value.render()
    assert "bad.csv: row 2, column 2: “fast” is a word, but row 3, column 2 holds a number" in text
    assert "bad.csv: row 4: has no conclusion" in text


def test_a_row_that_can_never_apply_is_reported(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("Light on?,conclusion\nyes,Cable\n-,Port dead\nno,Never reached\n")
    with pytest.raises(InputError, match="row 3: cares about no question"):
        table_pack(read_table(table, "t.csv"), PackMeta("t"), "t.csv")
    table.write_text("Light on?,Fan?,conclusion\nyes,-,Cable\nno,-,Port dead\nyes,no,Shadowed\n")
    result = table_pack(read_table(table, "t.csv"), PackMeta("t"), "t.csv")
    assert [n.path for n in result.notes if "never apply" in n.message] == ["row 4"]
    assert len(result.cases) == 2


def test_drawio_flowchart_becomes_a_pack_with_a_case_per_path(tmp_path: Path) -> None:
    summary = imported(tmp_path, DATA / "router.drawio", "--id", "router")
    assert summary["cases"] == summary["passed"] == 6
    pack = yaml.safe_load((tmp_path / "router.yaml").read_text())
    questions = {q["id"]: q for q in pack["questions"]}
    assert questions["router_are_the_router_s_lights_on"]["type"] == "yesno"  # HTML label
    wan = questions["router_what_colour_is_the_wan_light"]
    assert [o["value"] for o in wan["options"]] == ["green", "red", "off"]
    works = questions["router_does_the_internet_work_now"]
    assert works["help"] == "First: Plug the router in and switch it on."
    assert [q["order"] for q in pack["questions"]] == [2, 3, 4, 4]
    cable = next(f for f in pack["faults"] if f["title"] == "WAN cable unplugged")
    assert cable["fix"] == ["Plug the cable from the wall socket into the WAN port"]
    escalations = [r["then"][0] for r in pack["rules"] if "escalate" in r["then"][0]]
    assert {e["reason"] for e in escalations} == {
        "the router does not start",
        "the provider's line is down",
    }
    # the unconnected title box is left out, and said so
    notes = summary["notes"]
    assert isinstance(notes, list) and any("title" in n["path"] for n in notes)


def test_compressed_drawio_reads_as_the_plain_one() -> None:
    plain = read_drawio(DATA / "router.drawio", "router.drawio")
    packed = read_drawio(DATA / "router-compressed.drawio", "router-compressed.drawio")
    assert packed.nodes == plain.nodes and packed.edges == plain.edges
    meta = PackMeta("router")
    assert flow_pack(packed, meta, "x").pack == flow_pack(plain, meta, "x").pack


def _drawio(tmp_path: Path, cells: str, name: str = "f.drawio") -> Path:
    path = tmp_path / name
    path.write_text(
        f'<mxfile><diagram name="p"><mxGraphModel><root><mxCell id="0"/>{cells}'
        "</root></mxGraphModel></diagram></mxfile>"
    )
    return path


def _vertex(ident: str, text: str) -> str:
    return f'<mxCell id="{ident}" value="{text}" vertex="1" parent="0"/>'


def _edge(ident: str, source: str, target: str, text: str = "") -> str:
    return f'<mxCell id="{ident}" value="{text}" edge="1" source="{source}" target="{target}"/>'


def test_flowchart_errors_name_the_node_or_edge(tmp_path: Path) -> None:
    loop = _drawio(
        tmp_path,
        _vertex("q1", "Light on?")
        + _vertex("q2", "Fan on?")
        + _edge("a", "q1", "q2", "yes")
        + _edge("b", "q2", "q1", "no"),
    )
    code, _out, err = run("pack", "import", str(loop), "--out", str(tmp_path / "o"))
    assert code == 2 and "needs exactly one start" in err
    loop2 = _drawio(
        tmp_path,
        _vertex("s", "Start")
        + _vertex("q1", "Light on?")
        + _vertex("q2", "Fan on?")
        + _edge("a", "s", "q1")
        + _edge("b", "q1", "q2", "yes")
        + _edge("c", "q2", "q1", "no"),
        "loop.drawio",
    )
    code, _out, err = run("pack", "import", str(loop2), "--out", str(tmp_path / "o"))
    assert code == 2 and "the flowchart loops: 'q1' → 'q2' → 'q1'" in err
    mixed = _drawio(
        tmp_path,
        _vertex("q1", "Light on?")
        + _vertex("x", "Cable")
        + _vertex("y", "Port")
        + _edge("a", "q1", "x", "yes")
        + _edge("b", "q1", "y")
        + _edge("c", "q1", "gone", "no"),
        "mixed.drawio",
    )
    code, _out, err = run("pack", "import", str(mixed), "--out", str(tmp_path / "o"))
    assert code == 2
    assert "edge 'b': has no answer label, but other arrows out of node 'q1' have" in err
    assert "edge 'c' (“no”): is not connected at its end" in err
    assert "Traceback" not in err


def test_hostile_xml_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.drawio"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><mxfile>&b;</mxfile>'
    )
    with pytest.raises(InputError, match="declares a DTD or entities"):
        read_drawio(bomb, "bomb.drawio")
    packed = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = packed.compress(b"0" * (40 << 20)) + packed.flush()
    deflated = tmp_path / "zip.drawio"
    deflated.write_text(f"<mxfile><diagram>{base64.b64encode(zeros).decode()}</diagram></mxfile>")
    with pytest.raises(InputError, match="unpacks to over 16 MiB"):
        read_drawio(deflated, "zip.drawio")
    broken = tmp_path / "broken.drawio"
    broken.write_text("<mxfile><diagram>\n<mxGraphModel></diagram>")
    with pytest.raises(InputError, match="not well-formed XML at line 2"):
        read_drawio(broken, "broken.drawio")


def test_import_refuses_to_overwrite(tmp_path: Path) -> None:
    imported(tmp_path, DATA / "router.drawio")
    code, _out, err = run("pack", "import", str(DATA / "router.drawio"), "--out", str(tmp_path))
    assert code == 2 and "is already there" in err and "--force" in err
    assert imported(tmp_path, DATA / "router.drawio", "--force")["passed"] == 6


def test_guided_session_on_an_imported_flowchart_follows_the_chart(tmp_path: Path) -> None:
    imported(tmp_path, DATA / "router.drawio", "--id", "router")
    assert run("pack", "check", "--strict", str(tmp_path))[0] == 0
    result = CliRunner(env={"LINEWISE_STORE": str(tmp_path / "cases.sqlite3")}).invoke(
        cli,
        ["diagnose", "--packs", str(tmp_path / "router.yaml"), "--service-form", "paid"],
        input="Ann\nHome\nphone\n1\nyes\ngreen\nno\nyes\n",
    )
    # the pack declares its intake: who and where, no equipment type, model or serial
    assert "Customer" in result.stdout and "Location" in result.stdout
    assert "Equipment" not in result.stdout and "Serial" not in result.stdout
    asked = [m.group(1) for m in re.finditer(r"^Q\d+\. (.*)$", result.stdout, re.MULTILINE)]
    assert asked == [
        "Are the router's lights on?",
        "What colour is the WAN light?",
        "Do other devices in the home have internet?",
    ]
    assert "DNS settings wrong on the router" in result.stdout


def test_import_output_is_stable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same table gives the same files (the committed copy, used by docs/api.md)."""
    monkeypatch.chdir(DATA.parent.parent.parent)
    imported(tmp_path, Path("tests/data/import/printer-table.csv"), "--id", "printer-imp")
    kept = DATA / "printer-pack"
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.yaml"))
    assert made == sorted(p.relative_to(kept) for p in kept.rglob("*.yaml"))
    for name in made:
        assert (tmp_path / name).read_text() == (kept / name).read_text(), name


def test_needed_intake_fields_follow_the_packs() -> None:
    from rules.intake import needed_fields
    from rules.knowledge import load_knowledge

    shipped = load_knowledge()
    every = ("customer", "location", "equipment_type", "equipment_model", "equipment_serial")
    assert needed_fields(p.pack for p in shipped.packs.values()) == every
    mine = load_knowledge([DATA / "printer-pack"])
    assert needed_fields(p.pack for p in mine.packs.values()) == ("customer", "location")


def _chain(tmp_path: Path, length: int) -> Path:
    """`length` yes/no questions in a row, the last splitting to two ends: 2**length paths."""
    cells = "".join(_vertex(f"q{i}", f"Check {i} passes?") for i in range(length))
    cells += _vertex("a", "Fault A") + _vertex("b", "Escalate to Line 2: fault B")
    for i in range(length):
        for answer in ("yes", "no"):
            target = f"q{i + 1}" if i < length - 1 else ("a" if answer == "yes" else "b")
            cells += _edge(f"e{i}{answer}", f"q{i}", target, answer)
    return _drawio(tmp_path, cells, "chain.drawio")


def test_golden_cases_of_a_chart_of_many_paths_are_capped(tmp_path: Path) -> None:
    summary = imported(tmp_path, _chain(tmp_path, 6), "--max-cases", "10")
    assert summary["cases"] == summary["passed"] == 10
    notes = summary["notes"]
    assert isinstance(notes, list)
    assert any("64 paths: golden cases for 10 of them" in n["message"] for n in notes)
    kept = [yaml.safe_load(p.read_text()) for p in (tmp_path / "golden" / "chain").glob("*")]
    assert {"fault", "escalate"} <= {k for case in kept for k in case["expect"]}  # both ends


@pytest.mark.slow
def test_a_chart_of_many_paths_replays_on_worker_processes_without_noise(tmp_path: Path) -> None:
    """64 paths (six questions in a row): enough for the worker pool, whose shutdown
    must not print a traceback from the command line's signal handlers."""
    import subprocess
    import sys

    chart = _chain(tmp_path, 6)
    argv = [sys.executable, "-m", "cli.main", "pack", "import", str(chart), "--out"]
    done = subprocess.run(
        [*argv, str(tmp_path / "out"), "-j", "2"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "64 golden cases" in done.stdout and "64 passed" in done.stdout
    assert "Traceback" not in done.stderr


def test_a_yaml_node_list_reads_as_the_drawn_chart() -> None:
    from rules.flow_list import read_flow_list

    listed = flow_pack(read_flow_list(DATA / "router-nodes.yaml", "n"), PackMeta("router"), "x")
    drawn = flow_pack(read_drawio(DATA / "router.drawio", "d"), PackMeta("router"), "x")
    for key in ("questions", "faults", "symptoms"):
        assert listed.pack[key] == drawn.pack[key]
    assert [r["when"] for r in listed.pack["rules"]] == [r["when"] for r in drawn.pack["rules"]]
    assert len(listed.cases) == 6


def test_a_node_list_names_the_line_of_a_wrong_target(tmp_path: Path) -> None:
    nodes = tmp_path / "chart.yaml"
    nodes.write_text(
        "flowchart:\n"
        "  - {id: q, ask: Light on?, answers: {yes: a, no: nowhere}}\n"
        "  - {id: a, end: Cable}\n"
        "  - {id: b, step: Reboot}\n"
    )
    code, _out, err = run("pack", "import", str(nodes), "--out", str(tmp_path / "o"))
    assert code == 2
    assert "chart.yaml:2:" in err and "no node 'nowhere'" in err
    assert "chart.yaml:4:" in err and "a 'step' node takes 'next: node'" in err


def test_a_russian_table_gets_latin_ids_and_its_columns_are_known(tmp_path: Path) -> None:
    table = tmp_path / "ru.csv"
    table.write_text(
        "Свет горит?,Вывод,Уверенность\nда,Кабель неисправен,90%\n"
        "нет,Передать на линию 2: нет питания,\n",
        encoding="utf-8",
    )
    result = table_pack(read_table(table, "ru.csv"), PackMeta("ru"), "ru.csv")
    [question] = result.pack["questions"]
    assert question["id"] == "ru_svet_gorit" and question["type"] == "yesno"
    assert result.pack["faults"][0]["id"] == "ru_kabel_neispraven"
    assert result.pack["rules"][0]["then"] == [
        {"conclude": "ru_kabel_neispraven", "certainty": 0.9}
    ]
    assert result.pack["rules"][1]["then"] == [{"escalate": 2, "reason": "нет питания"}]


@pytest.mark.parametrize("source", ["router.drawio", "printer-table.csv"])
def test_every_path_guided_reaches_what_the_source_says(tmp_path: Path, source: str) -> None:
    """Each golden case written by the import, run as a guided session answering from the
    case: the session ends where the chart or table says, asking nothing outside it."""
    from engine.api import Done, Escalate, Linewise

    imported(tmp_path, DATA / source, "--id", "imp")
    lw = Linewise.load([tmp_path / "imp.yaml"])
    cases = sorted((tmp_path / "golden" / "imp").glob("*.yaml"))
    assert cases
    for path in cases:
        case = yaml.safe_load(path.read_text())
        session = lw.session(case["intake"])
        last = session.run(case["answers"])
        expect = case["expect"]
        if "fault" in expect:
            assert isinstance(last, Done) and last.fault == expect["fault"], (path.name, last)
        else:
            assert isinstance(last, Escalate), (path.name, last)
            assert last.escalation.to_line == expect["escalate"], path.name
            assert last.escalation.kind == expect["kind"], path.name
        asked = {a.question for a in session.session.record.asked}
        assert asked <= set(case["answers"]), path.name
