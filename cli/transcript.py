"""The case list as text (transcripts and explanations come from present/)."""

from __future__ import annotations

from cases.model import CaseSummary


def render_case_list(rows: list[CaseSummary]) -> str:
    if not rows:
        return "no cases yet"
    header = (
        f"{'case':10} {'status':10} {'line':4} {'updated':25} {'agent':12} complaint / customer"
    )
    lines = [header]
    for row in rows:
        who = " / ".join(x for x in (row.complaint, row.customer) if x)
        mark = " [simulated]" if row.simulated else ""
        lines.append(
            f"{row.id:10} {row.status:10} {row.line:<4} {row.updated_at:25} "
            f"{row.agent or '-':12} {who}{mark}"
        )
    return "\n".join(lines)
