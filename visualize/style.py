"""How things look: colours by node kind and by support line, and the words of the legend."""

from __future__ import annotations

import textwrap

# fill colour and shape by node kind
KIND_STYLE: dict[str, dict[str, str]] = {
    "symptom": {"shape": "box", "style": "rounded,filled,bold", "fillcolor": "#fde68a"},
    "question": {"shape": "box", "style": "rounded,filled", "fillcolor": "#dbeafe"},
    "answer": {"shape": "ellipse", "style": "filled", "fillcolor": "#f1f5f9", "fontsize": "10"},
    "intake": {"shape": "box", "style": "filled,dashed", "fillcolor": "#ecfeff"},
    "fact": {"shape": "note", "style": "filled", "fillcolor": "#fef9c3"},
    "rule": {"shape": "box", "style": "filled", "fillcolor": "#e5e7eb", "fontsize": "10"},
    "fault": {"shape": "box", "style": "filled,bold", "fillcolor": "#dcfce7"},
    "escalation": {"shape": "box", "style": "filled,diagonals", "fillcolor": "#fed7aa"},
    "truncated": {"shape": "box", "style": "dashed", "fillcolor": "#ffffff"},
}
FAILED = "#b91c1c"  # a fix that did not work
# outline colour by support line
LINE_COLOUR: dict[int, str] = {1: "#15803d", 2: "#1d4ed8", 3: "#7e22ce", 4: "#b91c1c"}
LAST_LINE = max(LINE_COLOUR)
NEUTRAL = "#475569"
HIGHLIGHT = "#e11d48"
DIMMED = "#cbd5e1"
UNUSED = "#94a3b8"

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "symptom": "symptom",
        "question": "question",
        "answer": "answer",
        "intake": "intake field",
        "fact": "derived fact",
        "rule": "rule",
        "fault": "fault + fix",
        "escalation": "escalation",
        "truncated": "not expanded",
        "line": "Line {n}",
        "legend": "Legend",
        "yes": "yes",
        "no": "no",
        "unknown": "unknown",
        "fix": "Fix",
        "escalate": "Escalate to Line {n}",
        "unresolved": "Unresolved at Line {n}, the last line",
        "knowledge": "Knowledge",
        "guided": "Guided diagnosis",
        "outline": "outline colour = support line",
        "highlight": "highlighted: this case's path",
        "traffic": "edge width = cases that took it; dashed = never used",
        "certainty": "certainty",
        "else": "other",
        "cases": "{n} cases",
        "under": "under {n}",
        "over": "over {n}",
        "from": "from {n}",
        "to": "to {n}",
        "range": "{low} {high}",
        "any": "any number",
        "shared": "{n} repeated steps drawn once (branches that go on the same way meet)",
        "fix_failed": "the fix did not work",
        "failed": "✗ fix did not work",
        "then": "then",
    },
    "ru": {
        "symptom": "симптом",
        "question": "вопрос",
        "answer": "ответ",
        "intake": "поле заявки",
        "fact": "выведенный факт",
        "rule": "правило",
        "fault": "неисправность + решение",
        "escalation": "эскалация",
        "truncated": "не раскрыто",
        "line": "Линия {n}",
        "legend": "Обозначения",
        "yes": "да",
        "no": "нет",
        "unknown": "неизвестно",
        "fix": "Решение",
        "escalate": "Эскалация на линию {n}",
        "unresolved": "Не решено на линии {n}, последней",
        "knowledge": "База знаний",
        "guided": "Диагностика по шагам",
        "outline": "цвет рамки = линия поддержки",
        "highlight": "выделено: путь этого обращения",
        "traffic": "толщина = сколько обращений прошло; пунктир = не использовалось",
        "certainty": "уверенность",
        "else": "другое",
        "cases": "обращений: {n}",
        "under": "меньше {n}",
        "over": "больше {n}",
        "from": "от {n}",
        "to": "до {n}",
        "range": "{low} {high}",
        "any": "любое число",
        "shared": "повторяющихся шагов нарисовано один раз: {n} (ветви, идущие дальше "
        "одинаково, сходятся)",
        "fix_failed": "решение не помогло",
        "failed": "✗ решение не помогло",
        "then": "затем",
    },
}


def word(lang: str, key: str, **fields: object) -> str:
    table = WORDS.get(lang, WORDS["en"])
    return table.get(key, WORDS["en"][key]).format(**fields)


def wrap(text: str, width: int = 32) -> str:
    """Wrap a label into lines (DOT and Mermaid both take '\\n' as a line break here)."""
    return "\n".join(textwrap.wrap(text, width)) or text
