"""Running Graphviz: DOT text -> SVG / PNG / PDF bytes. The only module that calls `dot`.

It imports nothing else of linewise's visualize package (like graphviz's own backend).
"""

from __future__ import annotations

import graphviz

from rules.errors import LinewiseError

BINARY_FORMATS = ("svg", "png", "pdf")


class GraphvizMissingError(LinewiseError):
    """The Graphviz `dot` program is not installed."""

    exit_code = 70


class GraphvizFailedError(LinewiseError):
    """`dot` ran but refused the input."""

    exit_code = 70


def render_bytes(dot_source: str, fmt: str) -> bytes:
    """Lay out and render DOT text with the `dot` program."""
    if fmt not in BINARY_FORMATS:
        raise ValueError(f"not a rendered format: {fmt}")
    try:
        data: bytes = graphviz.Source(dot_source).pipe(format=fmt, engine="dot")
    except graphviz.ExecutableNotFound as err:
        raise GraphvizMissingError(
            f"cannot render {fmt.upper()}: the Graphviz 'dot' program is not installed",
            hint="install it with 'sudo apt-get install graphviz' (or run scripts/setup.sh), "
            "or use --format dot / --format mermaid, which need no Graphviz",
        ) from err
    except graphviz.CalledProcessError as err:
        stderr = err.stderr.decode("utf-8", "replace").strip() if err.stderr else str(err)
        raise GraphvizFailedError(f"Graphviz could not render the graph: {stderr}") from err
    return data
