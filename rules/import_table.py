"""A decision table (one row per rule) converted into a pack and one golden case per row.

The table's first non-empty row names the columns. `conclusion` (a fault's title, or
"Escalate to Line N: reason") is required; `certainty`, `fix`, `line` and `rule` are
optional; every other column is a question, its header the question's text. A cell
holds the answer the row needs: yes/no, a word (a choice), a number or a comparison
(`< 5`, `>= 10`, `3..7`), several words with `|`, or nothing (`-`, `*`, `any`, empty)
when the row does not care. Rows are tried top down and the first that matches
concludes (DMN's "first" hit policy): each becomes a `stop` rule, earlier rows with a
higher priority. A last row that cares about nothing becomes the fallback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rules.importing import (
    Imported,
    ImportProblems,
    PackMeta,
    case_entry,
    escalation,
    fault_entry,
    id_prefix,
    pack_head,
    slug,
)
from rules.table_cells import Test, parse_cell
from rules.table_read import Cell
from rules.table_search import first_hit_answers

ROLES: dict[str, str] = {
    "conclusion": "conclusion",
    "outcome": "conclusion",
    "fault": "conclusion",
    "result": "conclusion",
    "certainty": "certainty",
    "cf": "certainty",
    "confidence": "certainty",
    "fix": "fix",
    "fix steps": "fix",
    "steps": "fix",
    "line": "line",
    "rule": "rule",
    "name": "rule",
    # the same columns in Russian
    "вывод": "conclusion",
    "заключение": "conclusion",
    "неисправность": "conclusion",
    "уверенность": "certainty",
    "исправление": "fix",
    "шаги": "fix",
    "линия": "line",
    "правило": "rule",
}
THRESHOLD = 0.7  # engine.diagnose.DEFAULT_THRESHOLD: a weaker conclusion escalates


@dataclass
class Column:
    """A question column: its header, id, answer type and the tests its cells make."""

    header: Cell
    id: str
    type: str = "yesno"
    options: dict[str, str] = field(default_factory=dict)  # value -> text


@dataclass
class Row:
    cells: dict[str, Cell]  # role or question id -> cell
    tests: dict[str, Test]  # question id -> test
    number: int


def table_pack(rows: list[list[Cell]], meta: PackMeta, shown: str) -> Imported:
    """The pack and golden cases for a decision table read by `rules.table_read`."""
    problems = ImportProblems(shown)
    if len(rows) < 2:
        problems.error("", "needs a header row and at least one rule row")
        problems.raise_if_any()
    prefix = id_prefix(meta.id)
    roles, columns = _header(rows[0], prefix, problems)
    problems.raise_if_any()
    table = [_row(r, roles, columns, problems) for r in rows[1:]]
    _type_columns(columns, table, problems)
    problems.raise_if_any()
    pack = pack_head(meta, f"Imported from the decision table {shown}.")
    pack["questions"] = [_question(c) for c in columns.values()]
    faults, rules, conclusions = _conclusions(table, meta, prefix, problems)
    problems.raise_if_any()
    pack["faults"] = faults
    pack["rules"] = rules
    cases = _cases(table, columns, conclusions, meta, problems)
    return Imported(pack, cases, problems.notes)


def _header(
    header: list[Cell], prefix: str, problems: ImportProblems
) -> tuple[dict[str, int], dict[int, Column]]:
    roles: dict[str, int] = {}
    columns: dict[int, Column] = {}
    taken: set[str] = set()
    seen: dict[str, Cell] = {}
    for cell in header:
        name = " ".join(cell.text.lower().split())
        if not name:
            problems.error(cell.where, "a column has no header", "name the question it asks")
            continue
        if name in seen:
            problems.error(cell.where, f"the header “{cell.text}” repeats {seen[name].where}")
            continue
        seen[name] = cell
        role = ROLES.get(name)
        if role is not None and role in roles:
            problems.error(cell.where, f"a second '{role}' column", "keep one")
        elif role is not None:
            roles[role] = cell.col
        else:
            columns[cell.col] = Column(cell, slug(cell.text, taken, prefix))
    if "conclusion" not in roles:
        problems.error(
            "row 1" if not header or not header[0].sheet else "header row",
            "no 'conclusion' column",
            "add a column headed 'conclusion' holding each row's fault or "
            "'Escalate to Line N: reason'",
        )
    if not columns:
        problems.error("header row", "no question columns", "add a column per question asked")
    return roles, columns


def _row(
    cells: list[Cell], roles: dict[str, int], columns: dict[int, Column], problems: ImportProblems
) -> Row:
    by_col = {c.col: c for c in cells}
    known = set(roles.values()) | set(columns)
    for cell in cells:
        if cell.col not in known and cell.text:
            problems.error(cell.where, "a value under no header", "add a header or clear it")
    row = Row({}, {}, cells[0].row)
    for role, col in roles.items():
        if col in by_col:
            row.cells[role] = by_col[col]
    for col, column in columns.items():
        found = by_col.get(col)
        if found is None:
            continue
        row.cells[column.id] = found
        test = parse_cell(found.text)
        if isinstance(test, str):
            problems.error(found.where, test, "write yes, no, a word, a number or '-'")
        elif test is not None:
            row.tests[column.id] = test
    conclusion = row.cells.get("conclusion")
    if conclusion is None or not conclusion.text:
        problems.error(
            f"row {row.number}", "has no conclusion", "name the fault, or 'Escalate to Line 2'"
        )
    return row


def _type_columns(columns: dict[int, Column], table: list[Row], problems: ImportProblems) -> None:
    for column in columns.values():
        tests = [(r.cells[column.id], r.tests[column.id]) for r in table if column.id in r.tests]
        numeric = [cell for cell, test in tests if test.numeric]
        words = [cell for cell, test in tests if not test.numeric]
        if numeric and words:
            problems.error(
                words[0].where,
                f"“{words[0].text}” is a word, but {numeric[0].where} holds a number in the "
                f"column “{column.header.text}”",
                "a column holds numbers or words, not both",
            )
            continue
        if numeric:
            column.type = "number"
            continue
        texts = [w for _cell, test in tests for w in test.words]
        if texts and not all(w in ("yes", "no") for w in texts):
            column.type = "choice"
        taken = {"unknown"}
        values: dict[str, Any] = {}
        for text in texts:
            key = text.lower()
            if key in values:
                continue
            if column.type == "choice":
                values[key] = slug(text, taken)
                column.options[values[key]] = text
            else:
                values[key] = key == "yes"  # a yes/no answer is a boolean in packs
        for _cell, test in tests:
            test.values = [values[w.lower()] for w in test.words]


def _question(column: Column) -> dict[str, Any]:
    question: dict[str, Any] = {"id": column.id, "text": column.header.text, "type": column.type}
    if column.type == "choice":
        question["options"] = [{"value": v, "text": t} for v, t in column.options.items()]
    return question


@dataclass(frozen=True)
class Conclusion:
    fault: str | None
    fault_line: int
    certainty: float
    escalate: int | None


def _conclusions(
    table: list[Row], meta: PackMeta, prefix: str, problems: ImportProblems
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Conclusion]]:
    faults: dict[str, dict[str, Any]] = {}
    rules: list[dict[str, Any]] = []
    out: list[Conclusion] = []
    fault_ids: set[str] = set()
    rule_ids: set[str] = set()
    for index, row in enumerate(table):
        cell = row.cells["conclusion"]
        named = row.cells.get("rule")
        rule: dict[str, Any] = {
            "id": slug(named.text if named and named.text else f"row {row.number}", rule_ids),
            "description": f"Decision table row {row.number}",
            "priority": len(table) - index,
            "stop": True,
        }
        if row.tests:
            rule["when"] = {"all": [t.condition(q) for q, t in row.tests.items()]}
        elif index == len(table) - 1:
            rule["fallback"] = True
            del rule["stop"]
        else:
            problems.error(
                f"row {row.number}",
                "cares about no question, so no row below it could ever apply",
                "move it to the end of the table (the fallback row)",
            )
        certainty = _certainty(row.cells.get("certainty"), problems)
        up = escalation(cell.text)
        if up is not None:
            if up[0] <= meta.line:
                problems.error(
                    cell.where,
                    f"escalates to Line {up[0]} from a Line {meta.line} pack",
                    f"escalate to a higher line, or import with --line {up[0] - 1}"
                    if up[0] > 1
                    else "Line 1 is where cases start: escalate to Line 2 or higher",
                )
            rule["then"] = [{"escalate": up[0], "reason": up[1]}]
            out.append(Conclusion(None, meta.line, 1.0, up[0]))
        else:
            fault = _fault(row, cell, faults, fault_ids, prefix, meta, problems)
            then: dict[str, Any] = {"conclude": fault["id"]}
            if certainty != 1.0:
                then["certainty"] = certainty
            rule["then"] = [then]
            out.append(Conclusion(fault["id"], fault["line"], certainty, None))
        rules.append(rule)
    return list(faults.values()), rules, out


def _fault(
    row: Row,
    cell: Cell,
    faults: dict[str, dict[str, Any]],
    taken: set[str],
    prefix: str,
    meta: PackMeta,
    problems: ImportProblems,
) -> dict[str, Any]:
    key = " ".join(cell.text.lower().split())
    fix_cell = row.cells.get("fix")
    fix = [s.strip() for s in (fix_cell.text if fix_cell else "").replace("\n", ";").split(";")]
    fix = [s for s in fix if s]
    line = _line(row.cells.get("line"), meta.line, problems)
    if key not in faults:
        faults[key] = fault_entry(slug(cell.text, taken, prefix), cell.text, fix, line)
        if not fix:
            problems.note(
                cell.where,
                f"the fault “{cell.text}” has no fix steps: its title stands as the one step",
                "add a 'fix' column (steps separated by ';')",
            )
    elif fix and faults[key]["fix"] != fix and fix_cell is not None:
        problems.note(fix_cell.where, f"other fix steps for “{cell.text}” than an earlier row")
    return faults[key]


def _certainty(cell: Cell | None, problems: ImportProblems) -> float:
    if cell is None or not cell.text:
        return 1.0
    text = cell.text.replace(",", ".").strip()
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 1:
        problems.error(cell.where, f"“{cell.text}” is not a certainty", "write 0.9 or 90%")
        return 1.0
    return value


def _line(cell: Cell | None, default: int, problems: ImportProblems) -> int:
    if cell is None or not cell.text:
        return default
    text = cell.text.lower().removeprefix("line").strip()
    if text not in ("1", "2", "3", "4"):
        problems.error(cell.where, f"“{cell.text}” is not a support line", "write 1, 2, 3 or 4")
        return default
    return int(text)


def _cases(
    table: list[Row],
    columns: dict[int, Column],
    conclusions: list[Conclusion],
    meta: PackMeta,
    problems: ImportProblems,
) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    taken: set[str] = set()
    order = [c.id for c in columns.values()]
    domains = {c.id: c for c in columns.values()}
    for index, row in enumerate(table):
        found = first_hit_answers(index, [r.tests for r in table], order, domains)
        if found is None:
            problems.note(
                f"row {row.number}",
                "can never apply: rows above it catch every answer that reaches it",
                "remove it, or move it above the rows that catch it",
            )
            continue
        done = conclusions[index]
        expect: dict[str, Any]
        if done.escalate is not None:
            expect = {"escalate": done.escalate, "kind": "rule"}
        elif done.fault_line > meta.line:
            expect = {"escalate": done.fault_line, "kind": "needs_line"}
        elif done.certainty < THRESHOLD and meta.line < 4:
            expect = {"escalate": meta.line + 1, "kind": "below_threshold"}
        else:
            expect = {"fault": done.fault}
        title = f"Decision table row {row.number}: {row.cells['conclusion'].text}"
        ident = slug(f"row {row.number}", taken).replace("_", "-")
        cases.append(case_entry(ident, title, meta, found, expect))
    return cases
