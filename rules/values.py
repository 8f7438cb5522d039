"""Answer values: what each answer type accepts, and turning typed-in text into a value."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rules.numbers import NumberError, numbered, parse_number
from rules.schema import AnswerType, Scalar

# Answers that mean "the customer cannot tell" wherever an answer is given; an option value
# may not be one of them (it could never be chosen).
UNKNOWN_WORDS = frozenset({"unknown", "?", "не знаю", "неизвестно"})
RESERVED_OPTION_VALUES = frozenset(w for w in UNKNOWN_WORDS if w.isascii() and w.isalpha())

_YES = {"yes", "y", "true", "1", "да", "д"}
_NO = {"no", "n", "false", "0", "нет", "н"}


@dataclass(frozen=True)
class ValueSpec:
    """The values a question, derived fact or intake field can take."""

    type: AnswerType
    options: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    unit: str | None = None

    def describe(self) -> str:
        if self.type == "yesno":
            return "yes or no"
        if self.type == "choice":
            return "one of: " + ", ".join(self.options) if self.options else "a choice"
        if self.type == "number":
            span = ""
            if self.minimum is not None and self.maximum is not None:
                span = f" from {self.minimum:g} to {self.maximum:g}"
            elif self.minimum is not None:
                span = f" of at least {self.minimum:g}"
            elif self.maximum is not None:
                span = f" of at most {self.maximum:g}"
            return f"a number{span}" + (f" ({self.unit})" if self.unit else "")
        return "free text"


class BadValue(ValueError):
    """A value that does not fit its spec; `hint` says what would."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def parse_value(raw: Scalar | None, spec: ValueSpec, *, strict_range: bool = True) -> Scalar:
    """Turn typed or file-given input into the canonical value for `spec`, or raise BadValue."""
    if raw is None:
        raise BadValue("no value given", f"expected {spec.describe()}")
    if spec.type == "yesno":
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in _YES:
            return True
        if word in _NO:
            return False
        raise BadValue(f"'{raw}' is not a yes/no answer", "answer yes or no")
    if spec.type == "choice":
        word = str(raw).strip() if not isinstance(raw, bool) else ("yes" if raw else "no")
        if isinstance(raw, float) and raw.is_integer():
            word = str(int(raw))
        if word in spec.options or not spec.options:
            return word
        lowered = {o.lower(): o for o in spec.options}
        if word.lower() in lowered:
            return lowered[word.lower()]
        position = menu_number(word, spec.options)
        if position is not None:
            return spec.options[position - 1]
        from rules.errors import did_you_mean

        hint = did_you_mean(word, spec.options) or f"expected {spec.describe()}"
        raise BadValue(f"'{raw}' is not an option", hint)
    if spec.type == "number":
        if isinstance(raw, bool):
            raise BadValue(f"'{raw}' is not a number", f"expected {spec.describe()}")
        try:
            number = float(raw) if isinstance(raw, int | float) else parse_number(str(raw))
        except NumberError as err:
            raise BadValue(err.message, f"expected {spec.describe()}; {err.hint}") from err
        if math.isnan(number) or math.isinf(number):
            raise BadValue(f"'{raw}' is not a finite number", f"expected {spec.describe()}")
        if strict_range and (
            (spec.minimum is not None and number < spec.minimum)
            or (spec.maximum is not None and number > spec.maximum)
        ):
            raise BadValue(f"{number:g} is out of range", f"expected {spec.describe()}")
        return int(number) if number.is_integer() else number
    text = str(raw).strip()
    if not text:
        raise BadValue("empty text", "type what the customer said")
    return text


def menu_number(word: str, options: tuple[str, ...]) -> int | None:
    """The 1-based menu position `word` picks, the way the guided prompt numbers the options;
    None when it is not such a number, or when the options are themselves numbers (then a
    number means the option of that value, never a position)."""
    if any(o.isdigit() for o in options):
        return None
    number = numbered(word, len(options))
    return number


def fits(value: Scalar, spec: ValueSpec) -> bool:
    """Whether a value already parsed (e.g. from a pack) fits the spec."""
    if spec.type == "yesno":
        return isinstance(value, bool)
    if spec.type == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if spec.type == "choice":
        return isinstance(value, str) and (not spec.options or value in spec.options)
    return isinstance(value, str)
