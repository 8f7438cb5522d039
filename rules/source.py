"""Reading YAML (or JSON) data files while keeping where every value stood.

Every reader of YAML/JSON input (packs, answer, case and golden files, service
levels, request bodies) comes through `read_data_file` or `parse_data`, so the
input limits (`rules.limits`) hold for all of them; values are built by
`rules.nodes`.

Positions only serve error messages, so they are not recorded while loading:
a file's source map keeps its text and re-reads it with positions the first
time a position is asked for (about a third of the loading time and most of
its memory at 20,000 rules).
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from rules.errors import EMPTY_FILE, Diagnostic
from rules.gcpause import paused_gc
from rules.limits import (
    LIMITS,
    InputLimits,
    LimitExceeded,
    check_aliases,
    read_bounded,
    too_large,
)
from rules.nodes import (
    Loader,
    NotPlain,
    PathKey,
    build,
    compose,
    descend,
    format_path,
    plain,
    positions,
)
from rules.yaml_errors import excerpt, syntax_diagnostic, with_excerpts

__all__ = [
    "DataFileError",
    "PathKey",
    "SourceMap",
    "display_path",
    "format_path",
    "lazy_source_map",
    "parse_data",
    "read_data_file",
]


_TREES: list[SourceMap] = []  # the maps that hold a node tree, the most recent last
KEPT_TREES = 8


def _recent(smap: SourceMap) -> None:
    """`smap` was asked last: it keeps its tree, the oldest beyond KEPT_TREES lose theirs."""
    if smap in _TREES:
        _TREES.remove(smap)
    _TREES.append(smap)
    while len(_TREES) > KEPT_TREES:
        _TREES.pop(0)._tree = None


class SourceMap:
    """Where each value (and each mapping key) of a file stands: 1-based line and column.

    Built from `text` on first use when given one; empty (to be filled) otherwise.
    """

    def __init__(self, file: str, text: str | None = None, limits: InputLimits = LIMITS) -> None:
        self.file = file
        self._text = text
        self._limits = limits
        self._values: dict[PathKey, tuple[int, int]] | None = None if text is not None else {}
        self._keys: dict[PathKey, tuple[int, int]] = {}
        self._tree: tuple[Any, Any] | None = None  # (root node, loader) for `locate` alone

    @property
    def lazy(self) -> bool:
        """Whether the positions are still to be read from the text (none asked for yet)."""
        return self._values is None

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
        root, loader = self._root()
        self._text, self._tree = None, None
        if self in _TREES:
            _TREES.remove(self)
        if root is not None:
            positions(root, (), self, loader, self._limits.max_depth)

    def _root(self) -> tuple[Any, Any]:
        """The file's node tree, composed by libyaml. A few trees are kept, for the maps
        asked most recently (findings come file by file); an older one is composed again."""
        if self._tree is None:
            loader = Loader(self._text or "", self._limits)
            try:
                with paused_gc():  # its nodes form no cycles; full passes over a large heap do
                    self._tree = (loader.get_single_node(), loader)
            finally:
                loader.dispose()
        tree = self._tree
        if self._values is None:  # kept for the next lookup while nothing is recorded
            _recent(self)
        return tree

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
        """The position of `path`, or of its nearest ancestor that has one. Before the
        table is filled (a finding or two in a file), the node tree is walked along the
        path alone: the same answer as the table's, without recording every position."""
        if self._values is None:
            root, loader = self._root()
            return descend(root, tuple(path), loader, self._limits.max_depth, key=key)
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


class DataFileError(Exception):
    """A file that is not readable data; carries its diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.render() for d in diagnostics))
        self.diagnostics = diagnostics


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, RuntimeError, OSError):  # outside, or a symbolic-link loop
        return str(path)


def read_data_file(
    path: Path, *, shown_as: str | None = None, limits: InputLimits = LIMITS
) -> tuple[Any, SourceMap]:
    """Parse one YAML/JSON file into plain data plus its source map, within `limits`."""
    name = shown_as or display_path(path)
    try:
        raw = read_bounded(path, limits)
    except LimitExceeded as err:
        raise DataFileError([_over(name, err)]) from err
    except FileNotFoundError as err:
        raise DataFileError([Diagnostic(name, 0, 0, "", "no such file")]) from err
    except IsADirectoryError as err:
        raise DataFileError([Diagnostic(name, 0, 0, "", "is a folder, not a file")]) from err
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise DataFileError([_loop(name)]) from err
        raise DataFileError([Diagnostic(name, 0, 0, "", f"cannot read: {err.strerror}")]) from err
    return parse_data(raw, name, limits=limits)


def _over(name: str, err: LimitExceeded) -> Diagnostic:
    return Diagnostic(name, err.line, err.col, "", err.message, hint=err.hint, code="E010")


def _loop(name: str) -> Diagnostic:
    return Diagnostic(
        name, 0, 0, "", "a symbolic link loop", hint="point the link at a real file", code="E011"
    )


def lazy_source_map(raw: bytes, name: str, limits: InputLimits = LIMITS) -> SourceMap:
    """The source map `parse_data` gives UTF-8 bytes it read without a problem to report:
    positions read from the text when first asked for (rules.parse_cache keeps the data)."""
    return SourceMap(name, raw.decode("utf-8").removeprefix("\ufeff"), limits)


def parse_data(
    raw: bytes | str, name: str, *, limits: InputLimits = LIMITS
) -> tuple[Any, SourceMap]:
    """Parse YAML/JSON bytes or text named `name` (used in diagnostics), within `limits`:
    the one entry for data that does not come from a file (a request body)."""
    if len(raw) > limits.max_bytes:
        raise DataFileError([_over(name, too_large(limits))])
    if isinstance(raw, str):
        text = raw
    else:
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
    try:
        return _parse_text(text, name, limits)
    except LimitExceeded as err:
        raise DataFileError([_over(name, err)]) from err


def _parse_text(text: str, name: str, limits: InputLimits) -> tuple[Any, SourceMap]:
    loader = Loader(text, limits)
    try:
        node = compose(loader, text, limits)
    except yaml.MarkedYAMLError as err:
        raise DataFileError([syntax_diagnostic(err, text, name)]) from err
    except yaml.YAMLError as err:
        raise DataFileError([Diagnostic(name, 1, 1, "", f"YAML error: {err}")]) from err
    finally:
        loader.dispose()
    if node is None:
        raise DataFileError([Diagnostic(name, 1, 1, "", EMPTY_FILE)])
    if "&" in text:  # anchors, hence maybe aliases: measure them before expanding any
        check_aliases(node, limits)
    try:
        return _value(node, loader, text, name, limits)
    except yaml.MarkedYAMLError as err:  # a merge key ('<<') of something not a mapping
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = f"YAML error: {err.problem}"
        shown = excerpt(text, line, col) if line else None
        raise DataFileError([Diagnostic(name, line, col, "", problem, excerpt=shown)]) from err


def _value(
    node: yaml.Node, loader: Any, text: str, name: str, limits: InputLimits
) -> tuple[Any, SourceMap]:
    try:
        data = plain(node, loader, limits.max_depth)
    except NotPlain:
        # a problem to report: build again, with positions, to say where and what
        problems: list[Diagnostic] = []
        smap = SourceMap(name)
        again = Loader(text, limits)
        try:
            data = build(again.get_single_node(), (), smap, problems, again, limits.max_depth)
        finally:
            again.dispose()
        if problems:
            raise DataFileError(with_excerpts(problems, text)) from None
        return data, smap
    return data, SourceMap(name, text, limits)
