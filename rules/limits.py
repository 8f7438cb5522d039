"""Limits on data read from files and requests: size, nesting depth, alias expansion.

One layer for every reader of YAML/JSON (packs, answer and case files, golden
files, service levels, traces, request bodies): a hostile or broken input gets a
clear error naming the limit, never a crash, a hang or a memory blow-up. A file
is read in bounded chunks (never more than the limit plus one byte, so that
/dev/zero or an endless pipe stops at once); aliases are measured on the node
graph before anything is built from it (a "billion laughs" file expands to a
billion nodes from a few hundred bytes, and a self-referencing alias never ends).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from rules.numbers import MAX_NUMBER_CHARS


@dataclass(frozen=True)
class InputLimits:
    """The limits applied to one input; the defaults are documented in docs/limits.md."""

    max_bytes: int = 16 * 1024 * 1024
    max_depth: int = 100
    max_alias_nodes: int = 100_000
    max_number_chars: int = MAX_NUMBER_CHARS


LIMITS = InputLimits()


class LimitExceeded(Exception):
    """An input over one of the limits; where (1-based line and column, 0 if unknown) and why."""

    def __init__(self, line: int, col: int, message: str, hint: str) -> None:
        super().__init__(message)
        self.line = line
        self.col = col
        self.message = message
        self.hint = hint


def size_text(count: int) -> str:
    """16777216 -> '16 MiB'."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count} bytes"


def too_large(limits: InputLimits) -> LimitExceeded:
    return LimitExceeded(
        0,
        0,
        f"larger than the {size_text(limits.max_bytes)} limit on an input",
        "split it into smaller files",
    )


def read_bounded(path: Path, limits: InputLimits = LIMITS) -> bytes:
    """The bytes of `path`, read in chunks and never more than the limit plus one byte
    (so a device or an endless pipe fails fast); OSError is left to the caller."""
    chunks: list[bytes] = []
    total = 0
    with path.open("rb") as handle:
        while total <= limits.max_bytes:
            chunk = handle.read(min(1 << 16, limits.max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    if total > limits.max_bytes:
        raise too_large(limits)
    return b"".join(chunks)


def too_deep(node: yaml.Node, limits: InputLimits) -> LimitExceeded:
    mark = node.start_mark
    return LimitExceeded(
        mark.line + 1,
        mark.column + 1,
        f"nested deeper than the limit of {limits.max_depth} levels",
        "flatten the structure; packs need only a few levels",
    )


def check_aliases(root: yaml.Node, limits: InputLimits = LIMITS) -> None:
    """Refuse a recursive alias, and aliases that expand the document by more than
    `max_alias_nodes` nodes or beyond `max_depth` levels.

    Walks each distinct node once (so the check costs as much as the text, however far
    the aliases would expand), keeping the expanded size and depth of each.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        kids = _children(node)
        if done:
            open_nodes.discard(key)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            continue
        if key in size:
            continue
        if not isinstance(node, yaml.CollectionNode):
            size[key], depth[key] = 1, 0
            continue
        open_nodes.add(key)
        stack.append((node, True))
        for kid in kids:
            if id(kid) in open_nodes:
                mark = kid.start_mark
                raise LimitExceeded(
                    mark.line + 1,
                    mark.column + 1,
                    "an alias refers to the node that contains it (a recursive alias)",
                    "an anchor cannot be used inside itself; write the value out",
                )
            if id(kid) not in size:
                stack.append((kid, False))
    if depth[id(root)] > limits.max_depth:
        node = root
        for _ in range(limits.max_depth):
            node = max(_children(node), key=lambda k: depth[id(k)])
        raise too_deep(node, limits)
    added = size[id(root)] - len(size)
    if added > limits.max_alias_nodes:
        node = root
        while True:  # the innermost node whose expansion alone is over the limit
            big = [k for k in _children(node) if size[id(k)] > limits.max_alias_nodes]
            if not big:
                break
            node = big[0]
        mark = node.start_mark
        raise LimitExceeded(
            mark.line + 1,
            mark.column + 1,
            f"aliases expand the document by {added:,} nodes, over the limit of "
            f"{limits.max_alias_nodes:,}",
            "write the values out instead of nesting aliases of aliases",
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []
