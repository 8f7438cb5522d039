"""Numbers typed by people or read from files: one parser for all of them.

Python's own `int()` and `float()` are too generous for input: they take Unicode
digits ('٣' is 3, and '²' passes `str.isdigit()` but makes `int()` fail), underscores
('1_0' is 10), 'nan' and 'inf', and `int()` raises on more than 4,300 digits. Here a
number is ASCII digits with an optional sign and, where a fraction makes sense, one
decimal point (or comma), bounded in length and always finite.
"""

from __future__ import annotations

import math
import re

MAX_NUMBER_CHARS = 100

_WHOLE = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)", re.ASCII)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)


class NumberError(ValueError):
    """Text that is not a number of the kind asked for; `hint` says what would be."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


def _checked_length(text: str, what: str) -> str:
    body = text.strip()
    if len(body) > MAX_NUMBER_CHARS:
        raise NumberError(
            f"{_shown(body)} is too long for {what} ({len(body)} characters)",
            f"a number has at most {MAX_NUMBER_CHARS} characters",
        )
    return body


def is_digits(text: str) -> bool:
    """Whether `text` is only ASCII digits (what `str.isdigit()` is often mistaken for)."""
    return _DIGITS.fullmatch(text) is not None


def parse_int(
    text: str,
    *,
    what: str = "a whole number",
    signed: bool = False,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """A whole number written in ASCII digits (a sign only when `signed`), within bounds."""
    body = _checked_length(text, what)
    if _WHOLE.fullmatch(body) is None or (not signed and body[0] in "+-"):
        sign = "an optional sign and " if signed else ""
        raise NumberError(f"{_shown(text)} is not {what}", f"write {sign}the digits 0-9 only")
    value = int(body)
    _check_range(value, what, minimum, maximum)
    return value


def parse_number(
    text: str,
    *,
    what: str = "a number",
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    """A decimal number ('12', '-0.5', '2,5')."""
    body = _checked_length(text, what)
    if _DECIMAL.fullmatch(body) is None:
        raise NumberError(
            f"{_shown(text)} is not {what}",
            "write digits 0-9 with an optional sign and one decimal point, e.g. 12 or 0.5",
        )
    value = float(body.replace(",", "."))
    if not math.isfinite(value):  # pragma: no cover - 100 digits always fit a float
        raise NumberError(f"{_shown(text)} is not a finite number", "write a smaller number")
    _check_range(value, what, minimum, maximum)
    return value


def finite(value: float, *, what: str = "a number") -> float:
    """`value` itself when it is finite (not NaN, not infinite)."""
    if not math.isfinite(value):
        raise NumberError(f"{value} is not a finite number", f"give {what} such as 0.5")
    return value


def _check_range(value: float, what: str, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and value < minimum:
        raise NumberError(f"{value:g} is below {minimum:g}", f"give {what} of at least {minimum:g}")
    if maximum is not None and value > maximum:
        raise NumberError(f"{value:g} is above {maximum:g}", f"give {what} of at most {maximum:g}")


def numbered(text: str, count: int) -> int | None:
    """The number a person typed to pick one of `count` numbered options (1-based), or None
    when `text` is not one of those numbers ('²', '1_0' and 5,000 digits are not)."""
    body = text.strip()
    if len(body) > 9 or not is_digits(body):
        return None
    number = int(body)
    return number if 1 <= number <= count else None
