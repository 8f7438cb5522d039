"""Reading a draw.io / diagrams.net file into the nodes and edges of a flowchart.

draw.io saves a page either as plain XML (`<mxGraphModel>` inside `<diagram>`) or, by
default, compressed: the page's XML URL-encoded, deflated (raw, no zlib header) and
base64-encoded as the text of `<diagram>`. Both are read. XML is parsed by defusedxml,
which refuses DTDs and entities (so an "XML bomb" is an error, not a memory blow-up),
and a compressed page may unpack to at most `MAX_UNPACKED` bytes.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from rules.importing import fail
from rules.limits import LIMITS, LimitExceeded, read_bounded, size_text

MAX_UNPACKED = 16 * 1024 * 1024
MAX_CELLS = 20_000


@dataclass
class Flow:
    """A flowchart: node id -> label, and edges (id, source, target, label) in file order."""

    nodes: dict[str, str] = field(default_factory=dict)
    edges: list[tuple[str, str, str, str]] = field(default_factory=list)
    page: str = ""


def read_drawio(path: Path, shown: str, page: str | None = None) -> Flow:
    """The flowchart on the first page (or the page named `page`) of a draw.io file."""
    try:
        raw = read_bounded(path, LIMITS)
    except LimitExceeded as err:
        raise fail(shown, "", err.message, err.hint) from err
    except OSError as err:
        raise fail(shown, "", f"cannot read: {err.strerror}") from err
    root = _parse(raw, shown, "")
    model = _model(root, shown, page)
    return _flow(model, shown)


def _parse(raw: bytes | str, shown: str, where: str) -> Element:
    try:
        return fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as err:
        raise fail(
            shown,
            where,
            f"the XML declares a DTD or entities ({type(err).__name__}), which are refused",
            "export the diagram again from draw.io (File > Export as > XML)",
        ) from err
    except ParseError as err:
        line, col = err.position
        raise fail(
            shown,
            where,
            f"is not well-formed XML at line {line}, column {col + 1}",
            "open it in draw.io and save it again",
        ) from err


def _model(root: Element, shown: str, page: str | None) -> Element:
    if root.tag == "mxGraphModel":
        return root
    if root.tag != "mxfile":
        raise fail(
            shown, "", f"is not a draw.io file (its root is <{root.tag}>)", "save it from draw.io"
        )
    diagrams = root.findall("diagram")
    if page is not None:
        diagrams = [d for d in diagrams if d.get("name") == page]
        if not diagrams:
            names = ", ".join(repr(d.get("name", "")) for d in root.findall("diagram"))
            raise fail(shown, "", f"has no page named {page!r}", f"pages: {names}")
    if not diagrams:
        raise fail(shown, "", "has no page (<diagram>)", "draw the flowchart on a page")
    diagram = diagrams[0]
    where = f"page {diagram.get('name', '1')!r}"
    inline = diagram.find("mxGraphModel")
    if inline is not None:
        return inline
    text = (diagram.text or "").strip()
    if not text:
        raise fail(shown, where, "the page is empty", "draw the flowchart, then save")
    return _parse(_inflate(text, shown, where), shown, where)


def _inflate(text: str, shown: str, where: str) -> str:
    try:
        packed = base64.b64decode(text, validate=True)
        inflater = zlib.decompressobj(-15)
        data = inflater.decompress(packed, MAX_UNPACKED)
        if inflater.unconsumed_tail:
            raise fail(
                shown,
                where,
                f"the compressed page unpacks to over {size_text(MAX_UNPACKED)}",
                "a flowchart is small: split it into several files",
            )
    except (binascii.Error, zlib.error, ValueError) as err:
        raise fail(
            shown,
            where,
            "the page is neither XML nor draw.io's compressed form",
            "in draw.io, uncheck File > Properties > Compressed and save again",
        ) from err
    return unquote(data.decode("utf-8", errors="replace"))


def _flow(model: Element, shown: str) -> Flow:
    cells = list(model.iter("mxCell"))
    if len(cells) > MAX_CELLS:
        raise fail(shown, "", f"has over {MAX_CELLS:,} shapes", "split the flowchart")
    flow = Flow()
    labels: dict[str, str] = {}
    edge_labels: list[tuple[str, str]] = []
    for holder in model.iter():
        cell = holder if holder.tag == "mxCell" else holder.find("mxCell")
        if cell is None or holder.tag not in ("mxCell", "UserObject", "object"):
            continue
        ident = holder.get("id") or cell.get("id") or ""
        label = text_of(holder.get("label") if holder is not cell else cell.get("value"))
        if cell.get("edge") == "1":
            flow.edges.append((ident, cell.get("source", ""), cell.get("target", ""), label))
        elif cell.get("vertex") == "1":
            labels[ident] = label
            edge_labels.append((cell.get("parent", ""), ident))
    edge_ids = {e[0]: n for n, e in enumerate(flow.edges)}
    for parent, ident in edge_labels:  # a label placed on an edge is a child of the edge
        if parent in edge_ids:
            number = edge_ids[parent]
            edge, source, target, label = flow.edges[number]
            flow.edges[number] = (edge, source, target, (label + " " + labels[ident]).strip())
            del labels[ident]
    flow.nodes = labels
    return flow


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("br", "div", "p", "li"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(label: str | None) -> str:
    """A label's text: HTML labels lose their markup, <br> and blocks become new lines."""
    if not label:
        return ""
    if "<" in label:
        parser = _Text()
        parser.feed(label)
        parser.close()
        label = "".join(parser.parts)
    lines = (" ".join(html.unescape(part).split()) for part in re.split(r"\n", label))
    return "\n".join(line for line in lines if line)
