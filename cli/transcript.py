"""The case list as text (transcripts and explanations come from present/)."""

from __future__ import annotations

from cases.model import CaseSummary


def render_case_list(rows: list[CaseSummary]) -> str:
    if not rows:
        return "no cases yet"
    lines = [f"{'case':10} {'status':10} {'line':4} {'updated':25} complaint / customer"]
    for row in rows:
        who = " / ".join(x for x in (row.complaint, row.customer) if x)
        lines.append(f"{row.id:10} {row.status:10} {row.line:<4} {row.updated_at:25} {who}")
    return "\n".join(lines)
