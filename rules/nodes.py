"""YAML nodes into plain values, within the input limits.

PyYAML only composes the node tree; values are built here so that duplicate keys
are caught (PyYAML silently keeps the last one), tags that could run code are
refused, numbers too long to be numbers and structures nested too deep are refused
before Python's own limits crash, and (for error messages) each value keeps its
line and column.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import yaml

from rules.errors import Diagnostic
from rules.limits import InputLimits, LimitExceeded, too_deep

if TYPE_CHECKING:
    from rules.source import SourceMap

PathKey = tuple[str | int, ...]

SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:timestamp",
}


def format_path(path: Sequence[str | int]) -> str:
    """('rules', 3, 'when') -> 'rules[3].when'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


# libyaml's parser (C) when PyYAML was built with it: about ten times faster on large packs,
# with the same nodes and marks; the pure-Python parser otherwise.
Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(Parser):  # type: ignore[misc]
    """The safe loader, remembering how it resolved each plain scalar: a pack repeats its
    ids and values, and the resolver's regular expressions ran once per scalar."""

    def __init__(self, text: str, limits: InputLimits) -> None:
        super().__init__(text)
        self.limits = limits
        self.max_number_chars = limits.max_number_chars
        self._resolved: dict[tuple[str, tuple[bool, bool]], str] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is not yaml.ScalarNode:
            return str(super().resolve(kind, value, implicit))
        key = (value, implicit)
        tag = self._resolved.get(key)
        if tag is None:
            tag = self._resolved[key] = super().resolve(kind, value, implicit)
        return tag


class NotPlain(Exception):
    """The file has something to report (a tag, a duplicate or odd key)."""


def _number(constructor: Any) -> Any:
    """A YAML number constructor that first refuses a number too long to be one (Python
    refuses ints over 4,300 digits; nobody means one)."""

    def construct(loader: Any, node: yaml.ScalarNode) -> Any:
        if len(node.value) > loader.max_number_chars:
            line, col = pos(node)
            raise LimitExceeded(
                line,
                col,
                f"a number of {len(node.value):,} characters, over the limit of "
                f"{loader.limits.max_number_chars}",
                "write a shorter number, or quote it if it is text",
            )
        return constructor(loader, node)

    return construct


_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
# scalars built directly by their constructor (no recursion bookkeeping, no node cache)
_SCALARS: dict[str, Any] = {
    tag: yaml.SafeLoader.yaml_constructors[tag]
    for tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null")
}
_STR = "tag:yaml.org,2002:str"
_SCALARS[_INT] = _number(yaml.SafeLoader.yaml_constructors[_INT])
_SCALARS[_FLOAT] = _number(yaml.SafeLoader.yaml_constructors[_FLOAT])


def _scalar(node: yaml.Node, loader: Any) -> Any:
    """The value of a scalar of a safe tag; a timestamp stays the text it was written as."""
    if node.tag == "tag:yaml.org,2002:timestamp":
        return str(node.value)
    return _SCALARS[node.tag](loader, node)


def compose(loader: Any, text: str, limits: InputLimits) -> yaml.Node | None:
    """The document's node tree. A syntax error is the error of the parser that read the
    data (never of a second parser: PyYAML's own scanner refuses tabs that libyaml
    accepts, and so used to report a tab 30 lines away from the real mistake)."""
    try:
        node: yaml.Node | None = loader.get_single_node()
    except RecursionError as err:  # the pure-Python composer recurses once per level
        raise LimitExceeded(0, 0, *_deep_text(limits)) from err
    except yaml.MarkedYAMLError as err:
        if "maximum nesting depth" in str(err.problem):  # libyaml's own limit (1,000 levels)
            mark = err.problem_mark
            raise LimitExceeded(
                mark.line + 1 if mark else 0, mark.column + 1 if mark else 0, *_deep_text(limits)
            ) from err
        raise
    return node


def _deep_text(limits: InputLimits) -> tuple[str, str]:
    return (
        f"nested deeper than the limit of {limits.max_depth} levels",
        "flatten the structure; packs need only a few levels",
    )


def plain(node: yaml.Node, loader: Any, room: int) -> Any:
    """The value of `node`, as `_build` makes it, but without positions; raises `NotPlain`
    where `_build` would report a problem."""
    tag = node.tag
    if isinstance(node, yaml.ScalarNode) and tag in _SCALARS:
        return _SCALARS[tag](loader, node)
    if tag not in SAFE_TAGS:
        raise NotPlain
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, loader)
    if not room:
        raise too_deep(node, loader.limits)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = plain(key_node, loader, room - 1)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise NotPlain
            key = str(key) if not isinstance(key, str) else key
            if key in out:
                raise NotPlain
            out[key] = plain(value_node, loader, room - 1)
        return out
    return [plain(item, loader, room - 1) for item in node.value]


def pos(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _plain_key(key_node: yaml.Node, loader: Any) -> str | None:
    """A mapping key as `build` names it (None: not a plain name, never in a path)."""
    if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in SAFE_TAGS:
        return None
    # a text key is its own value (as the str constructor gives it)
    key = key_node.value if key_node.tag == _STR else _scalar(key_node, loader)
    if not isinstance(key, str | int | float | bool) or key is None:
        return None
    return str(key) if not isinstance(key, str) else key


def _entries(node: yaml.MappingNode, loader: Any) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    """A mapping's (key, key node, value node), merge keys flattened, first of duplicates."""
    loader.flatten_mapping(node)
    seen: set[str] = set()
    for key_node, value_node in node.value:
        key = _plain_key(key_node, loader)
        if key is None or key in seen:
            continue
        seen.add(key)
        yield key, key_node, value_node


def positions(node: yaml.Node, path: PathKey, smap: SourceMap, loader: Any, room: int) -> None:
    """Record where each value and mapping key of an already validated file stands, as
    `build` does, without building the values again (only keys are read)."""
    smap.values[path] = pos(node)
    if node.tag not in SAFE_TAGS or isinstance(node, yaml.ScalarNode) or not room:
        return
    if isinstance(node, yaml.MappingNode):
        for key, key_node, value_node in _entries(node, loader):
            smap.keys[path + (key,)] = pos(key_node)
            positions(value_node, path + (key,), smap, loader, room - 1)
        return
    for i, item in enumerate(node.value):
        positions(item, path + (i,), smap, loader, room - 1)


def descend(
    root: yaml.Node | None, path: PathKey, loader: Any, room: int, *, key: bool = False
) -> tuple[int, int]:
    """What `SourceMap.locate` finds in the table `positions` records, by walking the
    node tree along `path` alone: the deepest node the path reaches (its key's position
    when `key` and it is a mapping entry)."""
    if root is None:
        return (1, 1)
    node, key_node = root, None
    for step in path:
        if node.tag not in SAFE_TAGS or isinstance(node, yaml.ScalarNode) or not room:
            break
        if isinstance(node, yaml.MappingNode):
            found = next(((k, v) for name, k, v in _entries(node, loader) if name == step), None)
            if found is None:
                break
            key_node, node = found
        elif isinstance(step, int) and 0 <= step < len(node.value):
            key_node, node = None, node.value[step]
        else:
            break
        room -= 1
    return pos(key_node) if key and key_node is not None else pos(node)


def build(
    node: yaml.Node,
    path: PathKey,
    smap: SourceMap,
    problems: list[Diagnostic],
    loader: Any,
    room: int,
) -> Any:
    smap.values[path] = pos(node)
    if node.tag not in SAFE_TAGS:
        line, col = pos(node)
        runs_code = "python" in node.tag
        problems.append(
            Diagnostic(
                smap.file,
                line,
                col,
                format_path(path),
                f"tag '{node.tag.replace('tag:yaml.org,2002:', '!!')}' is not allowed",
                hint="packs are data and can never run code; remove the tag"
                if runs_code
                else "use plain YAML values",
            )
        )
        return None
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, loader)
    if not room:
        raise too_deep(node, loader.limits)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        first_seen: dict[Any, int] = {}
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = build(key_node, path + ("<key>",), smap, problems, loader, room - 1)
            if not isinstance(key, str | int | float | bool) or key is None:
                line, col = pos(key_node)
                problems.append(
                    Diagnostic(
                        smap.file, line, col, format_path(path), "a key must be a plain name"
                    )
                )
                continue
            key = str(key) if not isinstance(key, str) else key
            if key in first_seen:
                line, col = pos(key_node)
                problems.append(
                    Diagnostic(
                        smap.file,
                        line,
                        col,
                        format_path(path + (key,)),
                        f"duplicate key '{key}' (first at line {first_seen[key]})",
                        hint="YAML keeps only one of them; remove or rename one",
                    )
                )
                continue
            first_seen[key] = key_node.start_mark.line + 1
            smap.keys[path + (key,)] = pos(key_node)
            out[key] = build(value_node, path + (key,), smap, problems, loader, room - 1)
        smap.values.pop(path + ("<key>",), None)
        return out
    return [
        build(item, path + (i,), smap, problems, loader, room - 1)
        for i, item in enumerate(node.value)
    ]
