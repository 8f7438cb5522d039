"""Validated models, re-made to take a third of the memory.

pydantic gives every instance its own attribute dict (sized for all fields,
most of them None in a condition) and its own set of the fields that were
given. A pack's models are frozen data that live as long as the process, and
at 20,000 rules they were most of its memory. `compact` re-makes them the way
Python stores ordinary objects: the attribute names shared by every instance of
a class, one fields-set shared by every instance given the same fields, and
equal strings shared. The models compare, hash, dump and validate as before.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

Model = TypeVar("Model", bound=BaseModel)

_set = object.__setattr__


class _Compactor:
    def __init__(self) -> None:
        self.field_sets: dict[tuple[type, frozenset[str]], set[str]] = {}
        self.strings: dict[str, str] = {}

    def model(self, model: BaseModel) -> BaseModel:
        cls = type(model)
        given = model.__pydantic_fields_set__
        shape = (cls, frozenset(given))
        shared = self.field_sets.get(shape)
        if shared is None:
            shared = self.field_sets[shape] = set(given)
        new = cls.__new__(cls)
        for name, value in model.__dict__.items():
            _set(new, name, self.value(value))
        _set(new, "__pydantic_fields_set__", shared)
        _set(new, "__pydantic_extra__", model.__pydantic_extra__)
        _set(new, "__pydantic_private__", model.__pydantic_private__)
        return new

    def value(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, str):
            return self.strings.setdefault(value, value)
        if isinstance(value, BaseModel):
            return self.model(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, tuple):
            return tuple(self.value(item) for item in value)
        return value


def compact(model: Model) -> Model:
    """An equal model (and equal sub-models) in less memory."""
    out: Model = _Compactor().model(model)  # type: ignore[assignment]
    return out
