"""Reading a decision table from CSV or XLSX into rows of text cells that know their place.

Both readers are bounded: a file over the size limit, a workbook whose parts unpack to
more than `MAX_UNPACKED` bytes (a zip bomb), or a table over `MAX_ROWS` rows or
`MAX_COLUMNS` columns is refused with a clear error before it is read in full.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from rules.errors import InputError
from rules.importing import fail
from rules.limits import LIMITS, LimitExceeded, read_bounded, size_text

MAX_ROWS = 5000
MAX_COLUMNS = 100
MAX_CELL = 2000
MAX_UNPACKED = 64 * 1024 * 1024


@dataclass(frozen=True)
class Cell:
    """One cell's text and where it is: 'B7' in a workbook, 'row 7, column 2' in CSV."""

    text: str
    row: int
    col: int
    sheet: bool

    @property
    def where(self) -> str:
        if self.sheet:
            return f"cell {column_letter(self.col)}{self.row}"
        return f"row {self.row}, column {self.col}"


def column_letter(col: int) -> str:
    """1 -> 'A', 27 -> 'AA'."""
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_table(path: Path, shown: str) -> list[list[Cell]]:
    """The non-empty rows of the table in `path` (CSV, or the first sheet of an XLSX)."""
    try:
        raw = read_bounded(path, LIMITS)
    except LimitExceeded as err:
        raise fail(shown, "", err.message, err.hint) from err
    except OSError as err:
        raise fail(shown, "", f"cannot read: {err.strerror}") from err
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _bounded(_xlsx_rows(raw, shown), shown, sheet=True)
    return _bounded(_csv_rows(raw, shown), shown, sheet=False)


def _csv_rows(raw: bytes, shown: str) -> list[list[str]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise fail(shown, "", "is not UTF-8 text", "save the table as CSV UTF-8") from err
    if "\x00" in text:
        raise fail(shown, "", "holds NUL bytes: it is not a CSV file", "save it as CSV UTF-8")
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                break
    except csv.Error as err:
        raise fail(shown, f"row {len(rows) + 1}", f"is not valid CSV: {err}") from err
    return rows


def _xlsx_rows(raw: bytes, shown: str) -> list[list[str]]:
    from openpyxl import load_workbook  # imported only for workbooks: it is slow to import

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as err:
        raise fail(shown, "", "is not an XLSX workbook (not a zip archive)", _SAVE_AS) from err
    if unpacked > MAX_UNPACKED:
        raise fail(
            shown,
            "",
            f"unpacks to {unpacked:,} bytes, over the {size_text(MAX_UNPACKED)} limit",
            "a decision table is small: remove other sheets, pictures and formatting",
        )
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds on a broken workbook
        raise fail(shown, "", f"is not a readable XLSX workbook ({err})", _SAVE_AS) from err
    try:
        sheet = book.worksheets[0]
        rows: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            rows.append([_cell_text(v) for v in values])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    except Exception as err:  # a broken sheet part
        raise fail(shown, "", f"is not a readable XLSX workbook ({err})", _SAVE_AS) from err
    finally:
        book.close()


_SAVE_AS = "save the table from your spreadsheet as .xlsx or as CSV UTF-8"


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _bounded(rows: list[list[str]], shown: str, *, sheet: bool) -> list[list[Cell]]:
    out: list[list[Cell]] = []
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS + 1:
            raise _too_many(shown, f"has more than {MAX_ROWS:,} rows")
        cells = [Cell(t.strip(), number, c, sheet) for c, t in enumerate(row, start=1)]
        while cells and not cells[-1].text:
            cells.pop()
        if len(cells) > MAX_COLUMNS:
            raise _too_many(shown, f"row {number} has more than {MAX_COLUMNS} columns")
        for cell in cells:
            if len(cell.text) > MAX_CELL:
                raise fail(shown, cell.where, f"holds over {MAX_CELL:,} characters")
        if cells:
            out.append(cells)
    return out


def _too_many(shown: str, what: str) -> InputError:
    return fail(shown, "", what, "split the table into several packs")
