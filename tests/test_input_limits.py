"""Hostile input (issue 14): size, alias and depth limits, one number parser, link loops,
path confinement and bounded error reporting, each a clear error and never a crash."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from cli.main import cli
from rules.errors import MAX_REPORTED, InvalidInput
from rules.limits import InputLimits
from rules.numbers import NumberError, numbered, parse_int, parse_number
from rules.paths import confined, safe_name
from rules.source import DataFileError, parse_data, read_data_file
from tests.history import Builder, write_store

LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)


def _problem(raw: bytes | str, limits: InputLimits | None = None) -> str:
    with pytest.raises(DataFileError) as caught:
        parse_data(raw, "in.yaml", **({"limits": limits} if limits else {}))
    return "\n".join(d.render() for d in caught.value.diagnostics)


def test_billion_laughs_is_refused_before_it_expands() -> None:
    started = time.process_time()
    text = _problem(LAUGHS)
    assert time.process_time() - started < 2
    assert "in.yaml:" in text and "aliases expand the document" in text and "100,000" in text


@pytest.mark.parametrize(
    "doc", ["loop: &a [*a]\n", "a: &a {<<: *a}\n", "a: &a {b: {c: [1, *a]}}\n"]
)
def test_a_recursive_alias_is_named(doc: str) -> None:
    assert "in.yaml:1:" in _problem(doc) and "recursive alias" in _problem(doc)


def test_aliases_within_the_limit_still_load() -> None:
    data, _ = parse_data("a: &a [1, 2]\nb: *a\nc: {<<: {x: 1}}\n", "ok.yaml")
    assert data == {"a": [1, 2], "b": [1, 2], "c": {"x": 1}}


@pytest.mark.parametrize(
    "doc",
    [
        "x: " + "[" * 150 + "]" * 150,
        "x: " + "[" * 500 + "]" * 500,
        "x: " + "[" * 50_000,
        "- " * 300 + "x\n",
        "x: &a " + "[" * 60 + "]" * 60 + "\ny: " + "[" * 60 + "*a" + "]" * 60,
    ],
)
def test_deep_nesting_is_refused_with_the_limit(doc: str) -> None:
    text = _problem(doc)
    assert "in.yaml:1:" in text or "in.yaml:2:" in text
    assert "nested deeper than the limit of 100 levels" in text


def test_nesting_at_the_limit_loads() -> None:
    data, _ = parse_data("x: " + "[" * 99 + "]" * 99, "ok.yaml")
    assert isinstance(data, dict)


def test_size_limit_reads_no_more_than_the_limit(tmp_path: Path) -> None:
    small = InputLimits(max_bytes=1000)
    path = tmp_path / "big.yaml"
    path.write_text("x: " + "a" * 2000, encoding="utf-8")
    with pytest.raises(DataFileError, match="larger than the 1000 bytes limit"):
        read_data_file(path, limits=small)
    assert "larger than" in _problem("x: " + "a" * 2000, small)
    with pytest.raises(DataFileError, match="16 MiB"):
        read_data_file(Path("/dev/zero"))


def test_a_fifo_is_read_in_bounded_chunks(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    pid = os.fork()
    if pid == 0:  # the writer: far more than the limit, then stop when the reader goes
        try:
            with fifo.open("wb") as out:
                for _ in range(1000):
                    out.write(b"#" * 65536)
        finally:
            os._exit(0)
    try:
        with pytest.raises(DataFileError, match="larger than the 4 KiB limit"):
            read_data_file(fifo, limits=InputLimits(max_bytes=4096))
    finally:
        os.waitpid(pid, 0)


def test_numbers_too_long_for_python_are_refused_at_their_line() -> None:
    text = _problem("id: x\nn: " + "1" * 5000 + "\n")
    assert "in.yaml:2:4" in text and "5,000 characters" in text
    assert "in.yaml:1:" in _problem("f: 1." + "0" * 200)


def test_an_impossible_date_stays_text() -> None:
    assert parse_data("d: 2001-13-45\n", "d.yaml")[0] == {"d": "2001-13-45"}


@pytest.mark.parametrize(
    ("text", "value"), [("12", 12.0), (" -0.5 ", -0.5), ("2,5", 2.5), (".5", 0.5), ("+3", 3.0)]
)
def test_parse_number_reads_plain_decimals(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text", ["1_0", "²", "٣", "nan", "inf", "-inf", "1e3", "0x10", "", "1.2.3", "1" * 5000]
)
def test_parse_number_refuses_what_python_would_accept_or_crash_on(text: str) -> None:
    with pytest.raises(NumberError):
        parse_number(text)
    with pytest.raises(NumberError):
        parse_int(text)


@given(st.text(max_size=200))
def test_the_number_parser_never_crashes(text: str) -> None:
    try:
        value = parse_number(text)
    except NumberError as err:
        assert err.message and err.hint
    else:
        assert value == value and abs(value) < float("inf")
        assert all(c.isascii() for c in text.strip())
    assert numbered(text, 5) in (None, 1, 2, 3, 4, 5)


@given(st.integers(min_value=-(10**40), max_value=10**40))
def test_whole_numbers_round_trip(number: int) -> None:
    assert parse_int(str(number), signed=True) == number


def test_numbered_choices_take_ascii_digits_only() -> None:
    assert numbered("2", 3) == 2
    assert [numbered(t, 3) for t in ("²", "0", "4", "1_0", "9" * 5000, "-1")] == [None] * 6


def _run(*argv: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(argv))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


def test_answers_and_options_use_the_number_parser() -> None:
    code, err = _run("diagnose", "-a", "print_toner_percent=1_0")
    assert code == 2 and "'1_0' is not a number" in err
    code, err = _run("diagnose", "-a", "print_toner_percent=" + "9" * 5000)
    assert code == 2 and "too long" in err
    for value in ("nan", "inf", "1_0"):
        code, err = _run("diagnose", "--threshold", value)
        assert code == 2 and "--threshold" in err


def test_a_unicode_digit_case_id_is_an_unknown_case(tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite3"
    write_store(store, [Builder({"complaint": "wired_no_network"}).start(1, 1)])
    for ident in ("²", "9" * 5000):
        code, err = _run("case", "show", ident, "--store", str(store))
        assert code == 3, err


def test_nan_and_infinity_in_a_pack_are_named(tmp_path: Path) -> None:
    pack = tmp_path / "nan.yaml"
    pack.write_text(
        "id: nanpack\nversion: 1.0.0\nline: 1\ntitle: {en: T}\nquestions:\n"
        "  - {id: q1, text: {en: Q}, type: number, min: .nan, cost: .inf}\n"
        "faults:\n  - {id: f1, title: {en: F}, fix: [{en: x}], line: 1, prior: .5}\n"
        "rules:\n  - {id: r1, when: {question: q1, between: [.nan, 3]}, then: [{conclude: f1}]}\n",
        encoding="utf-8",
    )
    code, err = _run("pack", "validate", str(pack))
    assert code == 2
    assert "nan.yaml:6:" in err and "questions[0].min: nan is not a finite number" in err
    assert "questions[0].cost: inf is not a finite number" in err
    assert "rules[0].when.between" in err


def test_a_version_with_a_huge_major_number_is_not_a_version(tmp_path: Path) -> None:
    pack = tmp_path / "v.yaml"
    pack.write_text(f"id: v\nversion: {'9' * 50}.0.0\nline: 1\ntitle: {{en: T}}\n")
    code, err = _run("pack", "validate", str(pack))
    assert code == 2 and "not a semantic version" in err


def test_symlink_loops_are_named(tmp_path: Path) -> None:
    (tmp_path / "self.yaml").symlink_to("self.yaml")
    folder = tmp_path / "packs"
    folder.mkdir()
    (folder / "a.yaml").symlink_to("b.yaml")
    (folder / "b.yaml").symlink_to("a.yaml")
    (folder / "up").symlink_to("..")
    for argv in (
        ["pack", "validate", str(tmp_path / "self.yaml")],
        ["pack", "validate", str(folder)],
        ["diagnose", "--packs", str(tmp_path / "self.yaml")],
        ["diagnose", "--answers", str(tmp_path / "self.yaml")],
    ):
        code, err = _run(*argv)
        assert code == 2 and "symbolic link loop" in err, (argv, err)


def test_file_names_from_data_are_confined(tmp_path: Path) -> None:
    assert safe_name("../../x") == "x"
    assert safe_name("/abs/path") == "abs-path"
    assert safe_name("..") == "unnamed"
    assert confined(tmp_path, "../../etc/passwd").parent == tmp_path
    (tmp_path / "elsewhere").symlink_to("/")
    with pytest.raises(InvalidInput, match="would be written outside"):
        confined(tmp_path, "elsewhere", "tmp")


@pytest.mark.parametrize("complaint", ["../../pwned", "/tmp/pwned-abs", "..", "a/../../b"])
def test_export_and_gaps_stay_inside_out(tmp_path: Path, complaint: str) -> None:
    intake = {"service_form": "paid", "channel": "phone", "complaint": complaint}
    cases = []
    for _ in range(6):
        case = Builder(intake).start(1, 1).answer(2, 1, "wired_cable_seated", True)
        cases.append(case.escalate(5, 1, 2, "no_rule"))
    store = tmp_path / "s.sqlite3"
    write_store(store, cases)
    out = tmp_path / "deep" / "out"
    code, err = _run("case", "export", "1", "--store", str(store), "--out", str(out))
    assert code == 0, err
    code, err = _run("cases", "gaps", "--store", str(store), "--out", str(out / "gaps"))
    assert code == 0, err
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix == ".yaml"]
    assert written and all(out in p.parents for p in written), written
    assert not Path("/tmp/pwned-abs").exists()


def test_many_unknown_answers_are_reported_boundedly(tmp_path: Path) -> None:
    answers = tmp_path / "many.yaml"
    answers.write_text("".join(f"unknown_{i}: yes\n" for i in range(20_000)), encoding="utf-8")
    started = time.process_time()
    code, err = _run("diagnose", "--answers", str(answers))
    assert time.process_time() - started < 20
    assert code == 2
    assert "unknown question 'unknown_0'" in err
    assert f"and {20_000 - MAX_REPORTED} more" in err and "20000 problems in input" in err
    assert len(err.splitlines()) <= MAX_REPORTED + 2
