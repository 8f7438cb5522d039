"""The JSON Schema of a pack, for editors that check YAML as it is typed."""

from __future__ import annotations

from typing import Any

from rules.schema import Pack


def pack_json_schema() -> dict[str, Any]:
    schema = Pack.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "linewise rule pack"
    return schema
