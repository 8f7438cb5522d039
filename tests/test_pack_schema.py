"""The JSON Schema is the language: it accepts what `pack validate` accepts on one file.

Checked with the `jsonschema` package against every shipped pack, every pack in the
docs, the bad-pack corpus and mutated packs (hypothesis): wherever the schema and the
pack models disagree, the difference is one of the documented ones (docs/packs.md,
"Checking packs in an editor").
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError
from pydantic import ValidationError

from cli.main import cli
from rules.jsonschema import pack_json_schema
from rules.loader import shipped_pack_files
from rules.schema import Pack
from rules.schema_docs import FIELDS
from rules.source import DataFileError, parse_data, read_data_file
from tests.conftest import ROOT

SCHEMA = pack_json_schema()
VALIDATOR = Draft202012Validator(SCHEMA)
DOCS = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
BAD_PACKS = sorted((ROOT / "tests" / "data" / "bad_packs").glob("*.yaml"))


def _schema_ok(data: Any) -> bool:
    return bool(VALIDATOR.is_valid(data))


def _model_ok(data: Any) -> bool:
    try:
        Pack.model_validate(data)
    except ValidationError:
        return False
    return True


def _lax(error: SchemaError) -> bool:
    """A value that pydantic's lax mode converts and the schema does not: true/false for a
    number, a numeric text for a number, 0/1 or a yes/no text for true/false."""
    if error.validator != "type":
        return False
    value, wanted = error.instance, error.validator_value
    if wanted in ("integer", "number"):
        return isinstance(value, bool) or (isinstance(value, str) and _numeric(value))
    if wanted == "boolean":
        return value in (0, 1) or (isinstance(value, str) and value.lower() in _BOOL_TEXTS)
    return False


_BOOL_TEXTS = {"0", "1", "yes", "no", "true", "false", "on", "off", "y", "n", "t", "f"}


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _leaf_errors(error: SchemaError) -> list[SchemaError]:
    if not error.context:
        return [error]
    return [leaf for sub in error.context for leaf in _leaf_errors(sub)]


def test_the_schema_is_a_json_schema_2020_12() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_pack_schema_prints_it() -> None:
    result = CliRunner().invoke(cli, ["pack", "schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == SCHEMA


def _properties() -> list[tuple[str, str, dict[str, Any]]]:
    models = [("Pack", SCHEMA), *SCHEMA["$defs"].items()]
    text = SCHEMA["$defs"]["Text"]["anyOf"]  # a text: a plain string or {en, ru}
    models += [("Text", branch) for branch in text if branch.get("type") == "object"]
    return [(m, k, p) for m, body in models for k, p in body.get("properties", {}).items()]


def test_every_key_of_the_models_is_in_the_schema_with_words() -> None:
    props = _properties()
    assert len(props) >= 66
    described = {(m, k) for m, k, p in props if p.get("description") and p.get("examples")}
    assert described == {(m, k) for m, k, _ in props}
    assert {(m, k) for m, k, _ in props} == {(m, k) for m in FIELDS for k in FIELDS[m]}


@pytest.mark.parametrize(("model", "key", "prop"), _properties(), ids=lambda v: str(v)[:30])
def test_every_example_fits_its_own_property(model: str, key: str, prop: dict[str, Any]) -> None:
    check = Draft202012Validator({"$defs": SCHEMA["$defs"], **prop})
    for example in prop["examples"]:
        assert check.is_valid(example), f"{model}.{key}: {example!r}"


def test_a_text_may_be_a_plain_string_or_english_and_russian() -> None:
    text = Draft202012Validator({"$defs": SCHEMA["$defs"], "$ref": "#/$defs/Text"})
    assert text.is_valid("Is the link light on?")
    assert text.is_valid({"en": "Is it on?", "ru": "Горит?"})
    assert not text.is_valid({"ru": "Горит?"})
    assert not text.is_valid({"en": "x", "de": "y"})


@pytest.mark.parametrize("path", shipped_pack_files(), ids=lambda p: p.name)
def test_every_shipped_pack_fits_the_schema(path: Path) -> None:
    data, _ = read_data_file(path)
    errors = [e.message for e in VALIDATOR.iter_errors(data)]
    assert errors == []


def _docs_packs() -> list[tuple[str, Any]]:
    found = []
    for doc in DOCS:
        text = doc.read_text("utf-8")
        for match in re.finditer(r"```ya?ml\n(.*?)```", text, re.S):
            data, _ = parse_data(match.group(1), doc.name)
            if isinstance(data, dict) and {"id", "version", "line"} <= set(data):
                line = text[: match.start()].count("\n") + 1
                found.append((f"{doc.name}:{line}", data))
    return found


def test_the_docs_show_at_least_one_pack() -> None:
    assert _docs_packs()


@pytest.mark.parametrize(("where", "data"), _docs_packs(), ids=lambda v: str(v)[:20])
def test_every_pack_in_the_docs_fits_both(where: str, data: Any) -> None:
    assert _model_ok(data), where
    assert _schema_ok(data), where


# What a JSON Schema cannot express: the grammar inside an expression string (the editor
# shows it when the pack is validated).
BEYOND_A_SCHEMA = {"expr_syntax", "procedure_unknown_step"}  # answers a question has


@pytest.mark.parametrize("path", BAD_PACKS, ids=lambda p: p.stem)
def test_the_bad_pack_corpus_the_schema_and_the_models_agree(path: Path) -> None:
    """What `validate` refuses in one file on its own, the schema refuses too; what it
    refuses only against other packs (an unknown question) the schema cannot know."""
    try:
        data, _ = read_data_file(path)
    except DataFileError:
        return  # not data at all (YAML syntax, a tag, a duplicate key): no schema sees it
    if path.stem in BEYOND_A_SCHEMA:
        assert _schema_ok(data) and not _model_ok(data), path.name
        return
    assert _schema_ok(data) == _model_ok(data), path.name


def test_a_wrong_pack_is_refused_by_the_schema_at_the_right_place() -> None:
    data, _ = read_data_file(ROOT / "rules" / "line1" / "wifi.yaml")
    data["rules"][0]["then"][0]["certainty"] = 2
    data["questions"][0]["options"] = [{"value": "a", "text": "A"}]
    wrong = {tuple(e.absolute_path) for e in VALIDATOR.iter_errors(data)}
    assert ("rules", 0, "then", 0, "certainty") in wrong
    assert ("questions", 0) in wrong  # options on a yes/no question
    assert not _model_ok(data)


BASE, _ = read_data_file(ROOT / "rules" / "line1" / "network_wired.yaml")
VALUES = st.sampled_from(
    [None, True, False, 7, -3, 2.5, "text", "some_id", "1.0.0", [], {}, ["a"], [1, 2], {"en": "x"}]
)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    items = (
        doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else []
    )
    for key, value in items:
        found.append((*prefix, key))
        found.extend(_paths(value, (*prefix, key)))
    return found


PATHS = _paths(BASE)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    changes=st.lists(
        st.tuples(st.sampled_from(PATHS), st.sampled_from(["set", "drop", "extra"]), VALUES),
        min_size=1,
        max_size=3,
    )
)
def test_mutated_packs_the_schema_and_the_models_agree(
    changes: list[tuple[tuple[Any, ...], str, Any]],
) -> None:
    doc = copy.deepcopy(BASE)
    for path, how, value in changes:
        parent: Any = doc
        for part in path[:-1]:
            try:
                parent = parent[part]
            except (KeyError, IndexError, TypeError):
                break
        else:
            key = path[-1]
            if isinstance(parent, dict) and how == "extra":
                parent["zz_extra"] = value
            elif isinstance(parent, dict) and how == "drop":
                parent.pop(key, None)
            elif isinstance(parent, dict) or (
                isinstance(parent, list) and isinstance(key, int) and key < len(parent)
            ):
                parent[key] = value
    model, schema = _model_ok(doc), _schema_ok(doc)
    if model == schema:
        return
    # the only difference allowed: the models' lax conversions, which the schema refuses
    assert model and not schema
    leaves = [leaf for e in VALIDATOR.iter_errors(doc) for leaf in _leaf_errors(e)]
    assert any(_lax(leaf) for leaf in leaves), [leaf.message for leaf in leaves]
