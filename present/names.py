"""Titles and words for what the packs and the intake name by id.

A `Namer` answers "what do people call this?" for one knowledge base and language:
a question's text, a fault's or complaint's title, a rule's description (or the
fault it concludes), an intake field's label, an answer value in words, and a rule
condition as a sentence ("Is the link light on? — no").
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from engine.logic import UNKNOWN, NLeaf, leaf_parts
from present.i18n import Words, words
from rules.knowledge import INTAKE_PREFIX, KnowledgeBase, RuleRef
from rules.schema import Condition, Option

ESCALATE_PREFIX = "escalate:"
OTHER_TEXT = "\u2400"  # the policy's stand-in for a text answer no rule names
FIX_FAILED = re.compile(r"^its fix did not work \(Line (\d), ([^)]*)\)")
_RULE_CACHE: OrderedDict[int, tuple[KnowledgeBase, dict[str, RuleRef]]] = OrderedDict()


def rule_index(kb: KnowledgeBase) -> dict[str, RuleRef]:
    """The knowledge base's rules by qualified id (kept for the last few bases)."""
    hit = _RULE_CACHE.get(id(kb))
    if hit is not None and hit[0] is kb:
        return hit[1]
    index = {ref.qualified: ref for ref in kb.rules}
    _RULE_CACHE[id(kb)] = (kb, index)
    while len(_RULE_CACHE) > 8:
        _RULE_CACHE.popitem(last=False)
    return index


INTAKE_ORDER = (
    "customer",
    "location",
    "equipment_type",
    "equipment_model",
    "equipment_serial",
    "service_form",
    "channel",
    "complaint",
)


def intake_fields(intake: Mapping[str, object]) -> list[str]:
    """The intake fields a case has, in the order people read them (unknown ones last)."""
    return [f for f in INTAKE_ORDER if f in intake] + sorted(
        f for f in intake if f not in INTAKE_ORDER
    )


def intake_label(field: str, w: Words) -> str:
    labels = {
        "customer": w.t("Customer"),
        "location": w.t("Location"),
        "equipment_type": w.t("Equipment type"),
        "equipment_model": w.t("Equipment model"),
        "equipment_serial": w.t("Serial or asset id"),
        "service_form": w.t("Form of service"),
        "channel": w.t("Channel"),
        "complaint": w.t("Complaint"),
    }
    return labels.get(field, field)


def service_form_label(value: str, w: Words) -> str:
    labels = {
        "warranty": w.t("Warranty"),
        "paid": w.t("Paid service"),
        "premium": w.t("Premium"),
        "self_service": w.t("Self-service"),
    }
    return labels.get(value, value)


def channel_label(value: str, w: Words) -> str:
    labels = {
        "phone": w.t("Phone"),
        "email": w.t("E-mail"),
        "chat": w.t("Chat"),
        "remote": w.t("Remote access"),
        "on_site": w.t("On site"),
    }
    return labels.get(value, value)


class Namer:
    """Words for ids, in one language, over one knowledge base."""

    def __init__(self, kb: KnowledgeBase, lang: str) -> None:
        self.kb = kb
        self.lang = lang
        self.w = words(lang)

    # ---- things by id -------------------------------------------------------------------

    def question(self, qid: str) -> str:
        question = self.kb.questions.get(qid)
        return question.text.get(self.lang) if question is not None else qid

    def fault(self, fid: str) -> str:
        fault = self.kb.faults.get(fid)
        return fault.title.get(self.lang) if fault is not None else fid

    def symptom(self, sid: str) -> str:
        symptom = self.kb.symptoms.get(sid)
        return symptom.title.get(self.lang) if symptom is not None else sid

    def internal(self, key: str) -> bool:
        """A bookkeeping fact (`internal: true`): left out of HOW and handoffs by default."""
        decl = self.kb.facts.get(key)
        return decl is not None and decl.internal

    def fact(self, key: str) -> str:
        """What a fact key is about: a question, an intake field or a derived fact."""
        if key.startswith(INTAKE_PREFIX):
            return intake_label(key.removeprefix(INTAKE_PREFIX), self.w)
        if key in self.kb.questions:
            return self.question(key)
        decl = self.kb.facts.get(key)
        return decl.text.get(self.lang) if decl is not None else key

    def rule(self, qualified: str) -> str:
        """A rule's description, else what it concludes, derives or escalates."""
        ref = rule_index(self.kb).get(qualified)
        if ref is None:
            return qualified
        if ref.rule.description is not None:
            return ref.rule.description.get(self.lang)
        visible = [t for t in ref.rule.then if t.derive is None or not self.internal(t.derive)]
        named = [t for t in visible if t.repeat is None]  # a repeat only loops; name the rest
        then = (named or visible or ref.rule.then)[0]
        if then.repeat is not None:
            return self.w.t(
                "the rule that asks “{question}” again", question=self.question(then.repeat)
            )
        if then.conclude is not None:
            return self.w.t("the rule for “{fault}”", fault=self.fault(then.conclude))
        if then.derive is not None:
            return self.w.t("the rule that establishes “{fact}”", fact=self.fact(then.derive))
        if then.say is not None:
            return self.w.t("the rule that says “{text}”", text=then.say.get(self.lang))
        return self.w.t("the rule that hands the case to Line {line}", line=then.escalate)

    def hidden_rule(self, qualified: str) -> bool:
        """A rule whose only effects are internal (bookkeeping) facts."""
        ref = rule_index(self.kb).get(qualified)
        return ref is not None and all(
            t.derive is not None and self.internal(t.derive) for t in ref.rule.then
        )

    def outcome(self, hypothesis: str) -> str:
        """A hypothesis of the question policy: a fault, an escalation, or 'other'."""
        if hypothesis == "other":
            return self.w.t("a cause the packs do not know")
        if hypothesis.startswith(ESCALATE_PREFIX):
            rule = hypothesis.removeprefix(ESCALATE_PREFIX)
            ref = rule_index(self.kb).get(rule)
            target = next((t.escalate for t in ref.rule.then if t.escalate), None) if ref else None
            reason = next((t.reason for t in ref.rule.then if t.reason), None) if ref else None
            text = self.w.t("escalation to Line {line}", line=target or "?")
            return text + (f": {reason.get(self.lang).rstrip('.')}" if reason is not None else "")
        return self.fault(hypothesis)

    def ruled_out(self, fault: str, reason: str) -> str:
        """'Title: its fix did not work (Line 1, when)' in the reader's words."""
        return f"{self.fault(fault)}: {self.reason(reason)}"

    def reason(self, reason: str) -> str:
        """Why a fault was ruled out (the engine records it in English) in words."""
        found = FIX_FAILED.search(reason)
        if found is None:
            return reason
        return self.w.t("its fix did not work (Line {line}, {at})", line=found[1], at=found[2][:16])

    # ---- values -------------------------------------------------------------------------

    def _options(self, key: str) -> list[Option]:
        question = self.kb.questions.get(key)
        if question is not None:
            return list(question.options or ())
        decl = self.kb.facts.get(key)
        return list(decl.options or ()) if decl is not None else []

    def value(self, key: str, value: Any) -> str:
        """An answer or fact value in words ('yes', the option's text, '230 V')."""
        if value is UNKNOWN or value is None or (key in self.kb.questions and value == "unknown"):
            return self.w.t("unknown (the customer cannot tell)")
        if isinstance(value, bool):
            return self.w.yes_no(value)
        if key.startswith(INTAKE_PREFIX):
            return self.intake_value(key.removeprefix(INTAKE_PREFIX), value)
        for option in self._options(key):
            if option.value == value:
                return option.text.get(self.lang)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        question = self.kb.questions.get(key)
        unit = question.unit if question is not None and question.unit else ""
        return f"{value} {unit}".strip()

    def intake_value(self, field: str, value: Any) -> str:
        if field == "service_form":
            return service_form_label(str(value), self.w)
        if field == "channel":
            return channel_label(str(value), self.w)
        if field == "complaint":
            return self.symptom(str(value))
        return str(value)

    def answer_shown(self, qid: str, shown: str) -> str:
        """A representative answer of the question policy ('yes', an option, '4.5') in
        words; a number becomes the range of answers it stands for."""
        question = self.kb.questions.get(qid)
        w = self.w
        if question is None:
            return shown
        if question.type == "yesno" and shown in ("yes", "no"):
            return self.value(qid, shown == "yes")
        if question.type == "text" and shown.startswith(OTHER_TEXT):
            return w.t("something else")
        if question.type != "number":
            return self.value(qid, shown)
        try:
            number = float(shown)
        except ValueError:
            return shown
        bounds = self.number_bounds(qid)

        def fmt(x: float) -> str:
            return self.value(qid, x)

        if not bounds:
            return fmt(number)
        if number in bounds:
            return w.t("exactly {value}", value=fmt(number))
        if number < bounds[0]:
            return w.t("less than {value}", value=fmt(bounds[0]))
        if number > bounds[-1]:
            return w.t("more than {value}", value=fmt(bounds[-1]))
        low = max(b for b in bounds if b < number)
        high = min(b for b in bounds if b > number)
        return w.t("between {low} and {high}", low=fmt(low), high=fmt(high))

    def number_bounds(self, qid: str) -> list[float]:
        """The numbers the packs' rules compare a number question's answer with."""
        bounds: set[float] = set()
        stack: list[Condition | None] = [ref.rule.when for ref in self.kb.rules]
        while stack:
            cond = stack.pop()
            if cond is None:
                continue
            stack.extend(cond.all or ())
            stack.extend(cond.any or ())
            stack.append(cond.not_)
            if cond.question != qid:
                continue
            for value in (cond.equals, cond.less_than, cond.greater_than):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    bounds.add(float(value))
            for value in [*(cond.one_of or ()), *(cond.between or ())]:
                if isinstance(value, int | float) and not isinstance(value, bool):
                    bounds.add(float(value))
        return sorted(bounds)

    # ---- conditions ---------------------------------------------------------------------

    def condition(self, leaf: NLeaf) -> str:
        """A comparison as a sentence: 'Is the link light on? — no'."""
        return self.test(leaf_parts(leaf))

    def test(self, parts: Mapping[str, Any]) -> str:
        """A comparison given as data (engine.logic.leaf_parts) as a sentence."""
        ident = str(parts["id"])
        key = INTAKE_PREFIX + ident if parts["subject"] == "intake" else ident
        op, operand, w = parts["op"], parts["operand"], self.w
        if op == "equals":
            said = self.value(key, operand)
        elif op == "known":  # waiting for an input of a computed fact
            said = w.t("answered")
        elif op == "one_of":
            listed = ", ".join(self.value(key, v) for v in operand or [])
            said = w.t("one of: {values}", values=listed)
        elif op == "less_than":
            said = w.t("less than {value}", value=self.value(key, operand))
        elif op == "greater_than":
            said = w.t("more than {value}", value=self.value(key, operand))
        elif op == "between":
            low, high = operand or (0, 0)
            said = w.t("from {low} to {high}", low=self.value(key, low), high=self.value(key, high))
        else:
            said = w.t("contains “{text}”", text=operand)
        if parts.get("negated"):
            said = w.t("not {what}", what=said)
        return f"{self.fact(key)} — {said}"
