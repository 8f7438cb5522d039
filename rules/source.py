"""Reading YAML (or JSON) data files while keeping where every value stood.

PyYAML is used only to compose the node tree; values are built here so that
duplicate keys are caught (PyYAML silently keeps the last one), tags that
could run code are refused, and each value keeps its line and column.

Positions only serve error messages, so they are not recorded while loading:
a file's source map keeps its text and re-reads it with positions the first
time a position is asked for (about a third of the loading time and most of
its memory at 20,000 rules).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from rules.errors import EMPTY_FILE, Diagnostic

PathKey = tuple[str | int, ...]

_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:timestamp",
}


class SourceMap:
    """Where each value (and each mapping key) of a file stands: 1-based line and column.

    Built from `text` on first use when given one; empty (to be filled) otherwise.
    """

    def __init__(self, file: str, text: str | None = None) -> None:
        self.file = file
        self._text = text
        self._values: dict[PathKey, tuple[int, int]] | None = None if text is not None else {}
        self._keys: dict[PathKey, tuple[int, int]] = {}

    @property
    def values(self) -> dict[PathKey, tuple[int, int]]:
        """The position of each value, by path."""
        if self._values is None:
            self._values = {}
            self._fill()
        return self._values

    @property
    def keys(self) -> dict[PathKey, tuple[int, int]]:
        """The position of each mapping key, by the path of its value."""
        if self._values is None:
            self._values = {}
            self._fill()
        return self._keys

    def _fill(self) -> None:
        """Read the text again, this time recording every position."""
        text, self._text = self._text or "", None
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                _build(node, (), self, [], loader)
        finally:
            loader.dispose()

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
        """The position of `path`, or of its nearest ancestor that has one."""
        probe = tuple(path)
        while True:
            table = self.keys if key and probe in self.keys else self.values
            if probe in table:
                return table[probe]
            if not probe:
                return (1, 1)
            probe = probe[:-1]

    def diagnostic(
        self,
        path: Sequence[str | int],
        message: str,
        *,
        hint: str | None = None,
        key: bool = False,
        code: str = "E000",
        severity: str = "error",
    ) -> Diagnostic:
        line, col = self.locate(path, key=key)
        return Diagnostic(
            file=self.file,
            line=line,
            col=col,
            path=format_path(path),
            message=message,
            hint=hint,
            code=code,
            severity="warning" if severity == "warning" else "error",
        )


def format_path(path: Sequence[str | int]) -> str:
    """('rules', 3, 'when') -> 'rules[3].when'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class DataFileError(Exception):
    """A file that is not readable data; carries its diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.render() for d in diagnostics))
        self.diagnostics = diagnostics


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_data_file(path: Path, *, shown_as: str | None = None) -> tuple[Any, SourceMap]:
    """Parse one YAML/JSON file into plain data plus its source map."""
    name = shown_as or display_path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as err:
        raise DataFileError([Diagnostic(name, 0, 0, "", "no such file")]) from err
    except IsADirectoryError as err:
        raise DataFileError([Diagnostic(name, 0, 0, "", "is a folder, not a file")]) from err
    except OSError as err:
        raise DataFileError([Diagnostic(name, 0, 0, "", f"cannot read: {err.strerror}")]) from err
    return parse_data(raw, name)


def parse_data(raw: bytes, name: str) -> tuple[Any, SourceMap]:
    """Parse YAML/JSON bytes named `name` (used in diagnostics)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        before = raw[: err.start]
        line = before.count(b"\n") + 1
        col = err.start - (before.rfind(b"\n") + 1) + 1
        raise DataFileError(
            [
                Diagnostic(
                    name,
                    line,
                    col,
                    "",
                    f"not UTF-8 (byte 0x{raw[err.start]:02x})",
                    hint="save the file as UTF-8",
                )
            ]
        ) from err
    if text.startswith("\ufeff"):
        text = text[1:]
    loader = _Loader(text)
    try:
        node = _compose(loader, text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = err.problem or "invalid YAML"
        context = f" {err.context}" if err.context else ""
        raise DataFileError(
            [Diagnostic(name, line, col, "", f"YAML syntax error: {problem}{context}")]
        ) from err
    except yaml.YAMLError as err:
        raise DataFileError([Diagnostic(name, 1, 1, "", f"YAML error: {err}")]) from err
    finally:
        loader.dispose()
    if node is None:
        raise DataFileError([Diagnostic(name, 1, 1, "", EMPTY_FILE)])
    try:
        data = _plain(node, loader)
    except _NotPlain:
        # a problem to report: build again, with positions, to say where and what
        problems: list[Diagnostic] = []
        smap = SourceMap(name)
        again = _Loader(text)
        try:
            data = _build(again.get_single_node(), (), smap, problems, again)
        finally:
            again.dispose()
        if problems:
            raise DataFileError(problems) from None
        return data, smap
    return data, SourceMap(name, text)


# libyaml's parser (C) when PyYAML was built with it: about ten times faster on large packs,
# with the same nodes and marks; the pure-Python parser otherwise.
_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Parser):  # type: ignore[misc]
    """The safe loader, remembering how it resolved each plain scalar: a pack repeats its
    ids and values, and the resolver's regular expressions ran once per scalar."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._resolved: dict[tuple[str, tuple[bool, bool]], str] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is not yaml.ScalarNode:
            return str(super().resolve(kind, value, implicit))
        key = (value, implicit)
        tag = self._resolved.get(key)
        if tag is None:
            tag = self._resolved[key] = super().resolve(kind, value, implicit)
        return tag


class _NotPlain(Exception):
    """The file has something to report (a tag, a duplicate or odd key)."""


# scalars built directly by their constructor (no recursion bookkeeping, no node cache)
_SCALARS: dict[str, Any] = {
    tag: yaml.SafeLoader.yaml_constructors[tag]
    for tag in (
        "tag:yaml.org,2002:str",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
    )
}


def _compose(loader: Any, text: str) -> yaml.Node | None:
    """The document's node tree; a syntax error is re-raised by the pure-Python parser,
    whose messages ("expected ',' or ']', but got ':'") say more than libyaml's."""
    try:
        node: yaml.Node | None = loader.get_single_node()
    except yaml.YAMLError:
        if _Parser is yaml.SafeLoader:
            raise
        again = yaml.SafeLoader(text)
        try:
            again.get_single_node()
        finally:
            again.dispose()
        raise
    return node


def _plain(node: yaml.Node, loader: Any) -> Any:
    """The value of `node`, as `_build` makes it, but without positions; raises `_NotPlain`
    where `_build` would report a problem."""
    tag = node.tag
    if isinstance(node, yaml.ScalarNode) and tag in _SCALARS:
        return _SCALARS[tag](loader, node)
    if tag not in _SAFE_TAGS:
        raise _NotPlain
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = _plain(key_node, loader)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise _NotPlain
            key = str(key) if not isinstance(key, str) else key
            if key in out:
                raise _NotPlain
            out[key] = _plain(value_node, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, loader) for item in node.value]
    value = loader.construct_object(node, deep=True)
    if tag == "tag:yaml.org,2002:timestamp":
        return str(node.value)
    return value


def _pos(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _build(
    node: yaml.Node,
    path: PathKey,
    smap: SourceMap,
    problems: list[Diagnostic],
    loader: Any,
) -> Any:
    smap.values[path] = _pos(node)
    if node.tag not in _SAFE_TAGS:
        line, col = _pos(node)
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
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        first_seen: dict[Any, int] = {}
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = _build(key_node, path + ("<key>",), smap, problems, loader)
            if not isinstance(key, str | int | float | bool) or key is None:
                line, col = _pos(key_node)
                problems.append(
                    Diagnostic(
                        smap.file, line, col, format_path(path), "a key must be a plain name"
                    )
                )
                continue
            key = str(key) if not isinstance(key, str) else key
            if key in first_seen:
                line, col = _pos(key_node)
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
            smap.keys[path + (key,)] = _pos(key_node)
            out[key] = _build(value_node, path + (key,), smap, problems, loader)
        smap.values.pop(path + ("<key>",), None)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, path + (i,), smap, problems, loader) for i, item in enumerate(node.value)
        ]
    value = loader.construct_object(node, deep=True)
    if node.tag == "tag:yaml.org,2002:timestamp":
        return str(node.value)
    return value
