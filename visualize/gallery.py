"""Pictures as files: one picture's bytes in a format, and a folder of pictures (one per
complaint) with a clickable index, so that a whole line stays readable.

A whole line's guided view in one picture is too tall to read and, in Mermaid, past its
default limits; one file per complaint keeps each one small, and `index.html` lists them
by title.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from visualize.backend import BINARY_FORMATS, render_bytes
from visualize.dot import to_dot
from visualize.mermaid import TooLargeForMermaid, to_mermaid
from visualize.picture import Picture

EXTENSIONS = {"svg": "svg", "png": "png", "pdf": "pdf", "dot": "dot", "mermaid": "mmd"}


@dataclass(frozen=True)
class Written:
    """One picture written: where, in which format, its size, and for which complaint."""

    path: str
    format: str
    title: str
    nodes: int
    edges: int
    complaint: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "title": self.title,
            "complaint": self.complaint,
            "nodes": self.nodes,
            "edges": self.edges,
        }


def picture_bytes(picture: Picture, fmt: str) -> bytes:
    """The picture in `fmt`: DOT or Mermaid text, or rendered by Graphviz."""
    if fmt == "mermaid":
        return to_mermaid(picture).encode("utf-8")
    if fmt == "dot":
        return to_dot(picture).encode("utf-8")
    if fmt in BINARY_FORMATS:
        return render_bytes(to_dot(picture), fmt)
    raise ValueError(f"unknown picture format: {fmt}")


def write_gallery(
    pictures: list[tuple[str, Picture]], folder: Path, fmt: str, title: str
) -> list[Written]:
    """One file per complaint in `folder` (named by its id), then `index.html` linking
    them by title. Every picture is made before anything is written, so a picture that
    is refused (too large for Mermaid) leaves no half-written folder."""
    made: list[tuple[str, Picture, bytes]] = []
    for complaint, picture in pictures:
        try:
            made.append((complaint, picture, picture_bytes(picture, fmt)))
        except TooLargeForMermaid as err:
            raise TooLargeForMermaid(
                f"complaint {complaint}: {err.message}", hint=err.hint
            ) from err
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for complaint, picture, data in made:
        path = folder / f"{complaint}.{EXTENSIONS[fmt]}"
        path.write_bytes(data)
        written.append(
            Written(
                str(path), fmt, picture.title, len(picture.nodes), len(picture.edges), complaint
            )
        )
    items = "\n".join(
        f'    <li><a href="{html.escape(Path(w.path).name)}">{html.escape(w.title)}</a>'
        f" <small>({w.nodes})</small></li>"
        for w in written
    )
    page = (
        '<!doctype html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n<body>\n<h1>{html.escape(title)}</h1>\n"
        f"<ul>\n{items}\n</ul>\n</body></html>\n"
    )
    (folder / "index.html").write_text(page, encoding="utf-8")
    return written
