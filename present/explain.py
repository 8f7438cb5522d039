"""WHY, HOW and WHY NOT as sentences with titles (the ids ride along in `ref`)."""

from __future__ import annotations

from typing import Any

from engine.result import FaultScore
from engine.session import Session
from present.i18n import Words
from present.names import Namer, rule_index
from present.views import Document, Item, Section
from rules.knowledge import KnowledgeBase, RuleRef


def _pct(probability: float) -> str:
    return f"{round(probability * 100)}%"


def _because(data: dict[str, Any], namer: Namer) -> str:
    w = namer.w
    runner = data.get("runner_up")
    if data["reason"] == "order":
        return w.t("The packs check this first: it is a fixed step of the procedure.")
    if data["reason"] == "lookahead" and data.get("together"):
        return w.t(
            "On its own no answer changes anything, but together with {others} it can "
            "settle a rule (about {minutes} min for them all).",
            others=", ".join(f"“{namer.question(q)}”" for q in data["together"]),
            minutes=f"{data['cost']:g}",
        )
    if runner is None:
        return w.t("It is the only question that still matters.")
    other = namer.question(runner["question"])
    if data["score"] > runner["score"] + 1e-9:
        return w.t(
            "It tells the possible causes apart best for the time it takes "
            "(about {minutes} min); the next best question would be “{other}”.",
            minutes=f"{data['cost']:g}",
            other=other,
        )
    if data["cost"] < runner["cost"]:
        return w.t("It tells them apart as well as “{other}” and is quicker to ask.", other=other)
    return w.t("It tells them apart as well as “{other}”; the packs list it first.", other=other)


def why_document(session: Session, question: str) -> Document:
    """WHY the current question: what it decides between and why it comes now."""
    namer = Namer(session.compiled.kb, session.lang)
    w = namer.w
    title = w.t("Why this question: {question}", question=namer.question(question))
    data = session.why()
    if data is None:
        return Document(
            kind="why",
            title=title,
            ref=question,
            summary=w.t("No question can change the outcome any more."),
        )
    if data.get("reason") == "repeat":
        return Document(
            kind="why",
            title=title,
            ref=question,
            summary=w.t(
                "Asked again by {rule}: it had {count} answer(s) so far; the last one counts.",
                rule=namer.rule(data["rule"]),
                count=data["answers"],
            ),
        )
    faults = list(data["faults"])
    ordered = faults + [h for h in data["decides"] if h not in faults]
    decides = [Item(text=namer.outcome(h), ref=h) for h in ordered]
    splits = [
        Item(
            text=w.t(
                "If the answer is {answer}:",
                answer=namer.answer_shown(question, value),
            ),
            ref=value,
            items=tuple(Item(text=namer.outcome(h), ref=h) for h in kept)
            or (Item(text=w.t("nothing known")),),
        )
        for value, kept in data["splits"].items()
    ]
    history = data.get("history", {})
    likely = [
        Item(
            text=f"{namer.outcome(h['id'])} — {_pct(h['probability'])}"
            + (
                " ("
                + w.t(
                    "this fault was the cause in {cases} of {of} similar cases",
                    **history[h["id"]],
                )
                + ")"
                if h["id"] in history
                else ""
            ),
            ref=h["id"],
        )
        for h in data["hypotheses"]
    ]
    rules = [Item(text=namer.rule(r), ref=r) for r in data["rules"]]
    excluded = [
        Item(
            text=namer.fault(e["fault"]),
            ref=e["fault"],
            items=tuple(_excluded_by(b, namer) for b in e["because"]),
        )
        for e in data.get("excluded", ())
    ]
    sections = [
        Section(key="decides", title=w.t("It decides between"), items=tuple(decides)),
        Section(key="splits", title=w.t("What each answer leaves possible"), items=tuple(splits)),
        Section(key="likely", title=w.t("How likely each is now"), items=tuple(likely)),
        Section(key="rules", title=w.t("Through the rules"), items=tuple(rules)),
        Section(
            key="excluded",
            title=w.t("Ruled out by facts derived from the answers"),
            items=tuple(excluded),
        ),
    ]
    return Document(
        kind="why",
        title=title,
        ref=question,
        summary=_because(data, namer),
        sections=tuple(s for s in sections if s.items),
    )


def _excluded_by(because: dict[str, Any], namer: Namer) -> Item:
    """'“Fact” is no (established by rule from: answer — value, ...)' for one rule."""
    w = namer.w
    fact = namer.fact(because["fact"])
    used = "; ".join(
        f"{namer.fact(a['key'])} — {namer.value(a['key'], a['value'])}" for a in because["from"]
    )
    if because.get("cannot"):
        text = w.t(
            "“{fact}” can no longer come out as needed ({condition}), given: {answers}",
            fact=fact,
            condition=namer.test(because["test"]),
            answers=used or w.t("nothing known"),
        )
    elif because["by"] is None:
        text = w.t(
            "“{fact}” can no longer be established, because of: {answers}",
            fact=fact,
            answers=used or w.t("nothing known"),
        )
    else:
        text = w.t(
            "“{fact}” is {value}, established by {rule} from: {answers}",
            fact=fact,
            value=namer.value(because["fact"], because["value"]),
            rule=namer.rule(because["by"]),
            answers=used or w.t("nothing known"),
        )
    return Item(text=text, ref=because["fact"])


def _origin(fact: dict[str, Any], namer: Namer) -> str:
    source = fact["source"]
    if source == "answer":
        return namer.w.t("answered")
    if source == "intake":
        return namer.w.t("from the intake")
    if source == "derived":
        return namer.w.t("established by {rule}", rule=namer.rule(fact["by"]))
    if source == "fix":
        return namer.w.t("the outcome of a fix")
    return str(source)


def known_items(facts: list[dict[str, Any]], namer: Namer) -> tuple[Item, ...]:
    """Facts as 'subject: value (where it comes from)'."""
    return tuple(
        Item(
            text=f"{namer.fact(f['key'])} — {namer.value(f['key'], f['value'])} "
            f"({_origin(f, namer)})",
            ref=f["key"],
        )
        for f in facts
    )


def effect_items(ref: RuleRef | None, namer: Namer, *, everything: bool = True) -> list[Item]:
    """What a rule does, in words: points to a fault, establishes a fact, escalates, says;
    internal (bookkeeping) facts only with `everything`."""
    if ref is None:
        return []
    out = []
    for then in ref.rule.then:
        if then.derive is not None and not everything and namer.internal(then.derive):
            continue
        if then.conclude is not None:
            text = namer.w.t(
                "points to “{fault}” (certainty {cf:+.2f})",
                fault=namer.fault(then.conclude),
                cf=then.cf,
            )
            out.append(Item(text=text, ref=then.conclude))
        elif then.derive is not None:
            text = namer.w.t("establishes “{fact}”", fact=namer.fact(then.derive))
            out.append(Item(text=text, ref=then.derive))
        elif then.escalate is not None:
            text = namer.w.t("hands the case to Line {line}", line=then.escalate)
            out.append(Item(text=text))
        elif then.say is not None:
            out.append(Item(text=namer.w.t("says “{text}”", text=then.say.get(namer.lang))))
    return out


def without_internal(data: dict[str, Any], namer: Namer) -> dict[str, Any]:
    """HOW data without internal (bookkeeping) facts: in what is known and in what the
    rules that fired used."""
    return {
        **data,
        "facts": [f for f in data["facts"] if not namer.internal(f["key"])],
        "fired": [
            {**f, "matched": [m for m in f["matched"] if not namer.internal(m["key"])]}
            for f in data["fired"]
            if not namer.hidden_rule(f["rule"])
        ],
    }


def how_document(session: Session, *, everything: bool = False) -> Document:
    """HOW: what is known, the rules that applied (with what they used), the causes;
    internal (bookkeeping) facts only when `everything` is asked for."""
    namer = Namer(session.compiled.kb, session.lang)
    w = namer.w
    data = session.how() if everything else without_internal(session.how(), namer)
    index = rule_index(session.compiled.kb)
    fired = []
    for firing in data["fired"]:
        if firing["status"] != "applied":
            continue
        used = [
            Item(text=f"{namer.fact(m['key'])} — {namer.value(m['key'], m['value'])}", ref=m["key"])
            for m in firing["matched"]
        ]
        fired.append(
            Item(
                text=namer.rule(firing["rule"]),
                ref=firing["rule"],
                items=tuple(
                    used + effect_items(index.get(firing["rule"]), namer, everything=everything)
                ),
            )
        )
    causes = [
        Item(
            text=f"{h['title']} — "
            + w.t("certainty {value:.2f}", value=h["certainty"])
            + ", "
            + (w.t("firm") if h["firm"] else w.t("not yet firm")),
            ref=h["id"],
        )
        for h in data["hypotheses"]
    ]
    ruled = [
        Item(text=namer.ruled_out(f, reason), ref=f) for f, reason in data["ruled_out"].items()
    ]
    sections = [
        Section(key="known", title=w.t("What is known"), items=known_items(data["facts"], namer)),
        Section(key="fired", title=w.t("Rules that applied"), items=tuple(fired)),
        Section(key="causes", title=w.t("Likely causes"), items=tuple(causes)),
        Section(key="ruled_out", title=w.t("Ruled out"), items=tuple(ruled)),
    ]
    summary = "" if fired else w.t("No rule has applied yet.")
    return Document(
        kind="how",
        title=w.t("How the diagnosis stands"),
        summary=summary,
        sections=tuple(s for s in sections if s.items),
    )


def _blocker(blocker: dict[str, Any], namer: Namer) -> str:
    w = namer.w
    condition = namer.test(blocker["test"])
    if blocker["status"] == "pending":
        return w.t("waits for: {condition} (not known yet)", condition=condition)
    if blocker["status"] == "unsettlable":
        return w.t("cannot hold: {condition} (the customer could not tell)", condition=condition)
    key = blocker["key"]
    if blocker["value"] is None:  # a derived fact no rule can establish any more
        return w.t(
            "does not hold: {condition} (it can no longer be established)", condition=condition
        )
    actual = namer.value(key, _actual(namer, key, blocker["value"]))
    return w.t("does not hold: {condition} (it is {actual})", condition=condition, actual=actual)


def _actual(namer: Namer, key: str, shown: Any) -> Any:
    question = namer.kb.questions.get(key)
    decl = namer.kb.facts.get(key)
    kind = question.type if question is not None else decl.type if decl is not None else None
    if kind == "yesno" and shown in ("yes", "no"):
        return shown == "yes"
    return shown


def _entry(entry: dict[str, Any], namer: Namer, w: Words) -> Item:
    status = entry["status"]
    if status == "ruled_out":
        text = w.t("the fault was ruled out: its fix did not work")
    elif status == "shadowed":
        text = w.t("it applied, but a rule that comes first stops the rest")
    elif status == "fallback_skipped":
        text = w.t("a last-resort rule: other rules concluded, so it did not apply")
    elif status == "fired":
        text = w.t("it applied")
    elif entry.get("blocker"):
        text = _blocker(entry["blocker"], namer)
    else:
        text = w.t("it did not apply")
    behind = [
        Item(
            text=w.t(
                "{rule} would establish it, but it {detail}",
                rule=namer.rule(b["rule"]),
                detail=_blocker(b["blocker"], namer),
            ),
            ref=b["rule"],
        )
        for b in entry.get("derived_by", [])
    ]
    return Item(text=f"{namer.rule(entry['rule'])}: {text}", ref=entry["rule"], items=tuple(behind))


def whynot_document(session: Session, fault_id: str) -> Document:
    """WHY NOT a fault in a session: for each rule that could conclude it, what held it back."""
    return whynot_from(
        session.why_not(fault_id),
        session.compiled.kb,
        session.lang,
        score=session.diagnosis().fault(fault_id),
        threshold=session.threshold,
        ruled_out=session.record.ruled_out.get(fault_id),
    )


def whynot_from(
    data: dict[str, Any],
    kb: KnowledgeBase,
    lang: str,
    *,
    score: FaultScore | None,
    threshold: float,
    ruled_out: str | None = None,
) -> Document:
    """WHY NOT from its data (engine.explain.why_not) and the fault's score, if any."""
    namer = Namer(kb, lang)
    w = namer.w
    fault_id = str(data["fault"])
    if ruled_out is not None:
        summary = w.t("Ruled out: {reason}", reason=namer.reason(ruled_out))
    elif score is None:
        summary = w.t("Not concluded.")
    elif score.firm:
        summary = w.t("Concluded with certainty {value:.2f} (firm).", value=score.certainty)
    else:
        summary = w.t(
            "Concluded with certainty {value:.2f}, below the threshold {threshold:.2f}.",
            value=score.certainty,
            threshold=threshold,
        )
    items = tuple(_entry(e, namer, w) for e in data["rules"])
    section = Section(
        key="rules",
        title=w.t("The rules that could conclude it"),
        items=items or (Item(text=w.t("No rule concludes this fault.")),),
    )
    return Document(
        kind="whynot",
        title=w.t("Why not: {fault}", fault=namer.fault(fault_id)),
        ref=fault_id,
        summary=summary,
        sections=(section,),
    )
