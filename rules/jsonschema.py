"""The JSON Schema of a pack, for editors that check YAML as it is typed.

Generated from the pack models (rules.schema), then completed where pydantic's
generator cannot see the models' own checks, so that the schema accepts what
`linewise pack validate` accepts on its own file, no more and no less wherever a
schema can say it:
- a text may be a plain string (Text's before-validator turns it into {en: ...});
- the models' "exactly one of" and "goes with" checks (a condition, a consequence,
  a choice question's options, a rule's `when`) become JSON Schema conditions;
- every property gets a description and an example (rules.schema_docs).
What only the whole set of packs can decide (an unknown question, a duplicate id)
and comparisons between two values (min <= max) stay with `validate`.
"""

from __future__ import annotations

from typing import Any

from rules.schema import COMPARISONS, SUBJECTS, Pack
from rules.schema_docs import FIELDS

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def pack_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one pack file."""
    schema = Pack.model_json_schema(by_alias=True)
    schema["$schema"] = DIALECT
    schema["title"] = "linewise rule pack"
    defs: dict[str, Any] = schema["$defs"]
    for name, model in [("Pack", schema), *defs.items()]:
        _document(name, model)
    for name, rules in _CHECKS.items():
        defs[name].setdefault("allOf", []).extend(rules)
    defs["Text"] = {
        "description": "A text in English, or {en: ..., ru: ...} with Russian too.",
        "anyOf": [{"type": "string"}, defs["Text"]],
        "examples": [
            "Is the link light on?",
            {"en": "Is the link light on?", "ru": "Горит ли индикатор связи?"},
        ],
    }
    return schema


def _document(name: str, model: dict[str, Any]) -> None:
    """A description and an example on each property of `model` (from rules.schema_docs)."""
    words = FIELDS.get(name, {})
    for key, prop in model.get("properties", {}).items():
        if key not in words:
            continue
        description, example = words[key]
        if description and "description" not in prop:
            prop["description"] = description
        prop["examples"] = [example]


def _set(*keys: str) -> dict[str, Any]:
    """The keys are given and not null (the models treat null as absent)."""
    return {
        "required": list(keys),
        "properties": {k: {"not": {"type": "null"}} for k in keys},
    }


def _any_set(keys: tuple[str, ...]) -> dict[str, Any]:
    return {"anyOf": [_set(k) for k in keys]}


def _only_with(key: str, owner: str) -> dict[str, Any]:
    """`key` may be given only together with `owner`."""
    return {"if": _set(key), "then": _set(owner)}


def _type_is(*types: str) -> dict[str, Any]:
    return {"required": ["type"], "properties": {"type": {"enum": list(types)}}}


_GROUPS = ("all", "any", "not")

# The models' own checks (their model_validator methods), as schema conditions.
_CHECKS: dict[str, list[dict[str, Any]]] = {
    "Question": [
        {"if": _type_is("choice"), "then": _set("options")},
        {"if": {"not": _type_is("choice")}, "then": {"not": _set("options")}},
        {"if": {"not": _type_is("number")}, "then": {"not": _any_set(("unit", "min", "max"))}},
    ],
    "FactDecl": [{"if": _type_is("choice"), "then": _set("options")}],
    "Condition": [
        {"oneOf": [_set(k) for k in (*_GROUPS, *SUBJECTS, "expr")]},
        {"if": _any_set((*_GROUPS, "expr")), "then": {"not": _any_set(COMPARISONS)}},
        {"if": _any_set(SUBJECTS), "then": {"oneOf": [_set(k) for k in COMPARISONS]}},
        {"properties": {"all": {"minItems": 1}, "any": {"minItems": 1}}},
    ],
    "Consequence": [
        {"oneOf": [_set(k) for k in ("conclude", "derive", "escalate")]},
        _only_with("certainty", "conclude"),
        _only_with("value", "derive"),
        _only_with("expr", "derive"),
        _only_with("reason", "escalate"),
        {
            "if": {"required": ["forbids"], "properties": {"forbids": {"minItems": 1}}},
            "then": _set("escalate"),
        },
        {"if": _set("derive"), "then": {"oneOf": [_set("value"), _set("expr")]}},
        {"if": _set("escalate"), "then": _set("reason")},
    ],
    "Rule": [
        {
            "if": {"not": {"required": ["fallback"], "properties": {"fallback": {"const": True}}}},
            "then": _set("when"),
        }
    ],
}
