"""A diagnosis from given answers, and HOW a conclusion was reached, in people's words."""

from __future__ import annotations

from typing import Any

from engine.result import Diagnosis
from present.explain import effect_items, known_items
from present.names import Namer, rule_index
from present.views import Document, Item, Section
from rules.knowledge import KnowledgeBase


def _support(node: dict[str, Any], namer: Namer, everything: bool) -> Item:
    """A fact a rule used, and for a derived one the rule that established it."""
    origin = {
        "answer": namer.w.t("answered"),
        "intake": namer.w.t("from the intake"),
        "derived": namer.w.t("derived"),
    }.get(node["source"], node["source"])
    because = node.get("because")
    items = (_rule(because, namer, everything),) if because is not None else ()
    text = f"{namer.fact(node['key'])} — {namer.value(node['key'], node['value'])} ({origin})"
    return Item(text=text, ref=node["key"], items=items)


def _rule(node: dict[str, Any], namer: Namer, everything: bool) -> Item:
    ref = rule_index(namer.kb).get(node["rule"])
    items = [_support(f, namer, everything) for f in node["facts"]]
    items += effect_items(ref, namer, everything=everything)
    return Item(text=namer.rule(node["rule"]), ref=node["rule"], items=tuple(items))


def how_visible(data: dict[str, Any], kb: KnowledgeBase) -> dict[str, Any]:
    """HOW data (engine.explain.how) without internal (bookkeeping) facts: not among the
    facts a rule used, nor the rules that established them."""
    namer = Namer(kb, "en")

    def rule(node: dict[str, Any]) -> dict[str, Any]:
        return {**node, "facts": [fact(f) for f in node["facts"] if not namer.internal(f["key"])]}

    def fact(node: dict[str, Any]) -> dict[str, Any]:
        because = node.get("because")
        return node if because is None else {**node, "because": rule(because)}

    return {**data, "rules": [rule(r) for r in data["rules"]]}


def conclusion_document(
    data: dict[str, Any], kb: KnowledgeBase, lang: str, *, everything: bool = False
) -> Document:
    """HOW a fault (or the outcome) was reached: the rules, back to the answers
    (data: engine.explain.how); internal (bookkeeping) facts only with `everything`."""
    namer = Namer(kb, lang)
    w = namer.w
    shown = data if everything else how_visible(data, kb)
    rules = Section(
        key="rules",
        title=w.t("Rules that applied"),
        items=tuple(_rule(r, namer, everything) for r in shown["rules"]),
    )
    if "fault" in data:
        title = w.t("How: {fault}", fault=namer.fault(data["fault"]))
        if not data["concluded"]:
            summary = w.t("Not concluded (see why not).")
        elif data["firm"]:
            summary = w.t("Certainty {value:.2f} (firm).", value=data["certainty"])
        else:
            summary = w.t("Certainty {value:.2f} (below the threshold).", value=data["certainty"])
        ref = data["fault"]
    else:
        esc = data.get("escalation")
        title = w.t("How the outcome was reached")
        summary = (
            w.t("Escalate to Line {line}: {reason}", line=esc["to_line"], reason=esc["reason"])
            if esc
            else ""
        )
        ref = esc["kind"] if esc else None
    return Document(
        kind="how",
        title=title,
        ref=ref,
        summary=summary,
        sections=(rules,) if rules.items else (),
    )


def diagnosis_document(
    diag: Diagnosis, kb: KnowledgeBase, lang: str, *, everything: bool = False
) -> Document:
    """The outcome (a fault and its fix, an outcome without a fix, an escalation, or the
    questions that would help), advice for the customer, the ranked hypotheses and the
    facts it rests on (internal, bookkeeping facts only with `everything`)."""
    namer = Namer(kb, lang)
    w = namer.w
    outcome = diag.outcome
    sections: list[Section] = []
    top = diag.fault(outcome.fault) if outcome.kind == "fault" and outcome.fault else None
    if top is not None:
        title = w.t("Diagnosis at Line {line}: {fault}", line=diag.line, fault=namer.fault(top.id))
        summary = w.t("certainty {value:.2f}", value=top.certainty)
        ref: str | None = top.id
        if top.description and top.kind != "fault":
            sections.append(
                Section(
                    key="said", title=w.t("Tell the customer"), items=(Item(text=top.description),)
                )
            )
        if top.kind == "alternatives":
            choices = tuple(Item(text=step) for step in top.fix)
            sections.append(Section(key="choices", title=w.t("Any one of:"), items=choices))
        else:
            fix = tuple(Item(text=f"{n}. {step}") for n, step in enumerate(top.fix, 1))
            sections.append(Section(key="fix", title=w.t("Fix"), items=fix))
    elif outcome.kind in ("escalate", "unresolved") and outcome.escalation is not None:
        esc = outcome.escalation
        title = (
            w.t("Escalate to Line {line}", line=esc.to_line)
            if outcome.kind == "escalate"
            else w.t("Unresolved at Line {line}", line=diag.line)
        )
        summary, ref = esc.reason, esc.kind
        if esc.rule:
            sections.append(
                Section(
                    key="rule",
                    title=w.t("Required by"),
                    items=(Item(text=namer.rule(esc.rule), ref=esc.rule),),
                )
            )
    else:
        title = w.t("No firm diagnosis yet at Line {line}", line=diag.line)
        summary, ref = "", None
        sections.append(
            Section(
                key="questions",
                title=w.t("Questions that would help"),
                items=tuple(Item(text=namer.question(q), ref=q) for q in outcome.open_questions),
            )
        )
    causes = tuple(
        Item(
            text=f"{namer.fault(f.id)} — "
            + w.t("Line {line}", line=f.line)
            + ", "
            + w.t("certainty {value:.2f}", value=f.certainty)
            + ", "
            + (w.t("firm") if f.firm else w.t("not yet firm")),
            ref=f.id,
        )
        for f in diag.faults
    )
    sections.append(Section(key="causes", title=w.t("Likely causes"), items=causes))
    ruled = tuple(Item(text=namer.fault(f), ref=f) for f in diag.ruled_out)
    sections.append(Section(key="ruled_out", title=w.t("Ruled out"), items=ruled))
    reached = diag.fault(outcome.fault) if outcome.fault else None
    if reached is not None and reached.firm and reached.advice:
        advice = (Item(text=reached.advice, ref=reached.id),)
        sections.insert(0, Section(key="advice", title=w.t("Tell the customer"), items=advice))
    facts = [f for f in diag.facts if everything or not namer.internal(f["key"])]
    sections.append(
        Section(key="known", title=w.t("What is known"), items=known_items(facts, namer))
    )
    return Document(
        kind="diagnosis",
        title=title,
        ref=ref,
        summary=summary,
        sections=tuple(s for s in sections if s.items),
    )
