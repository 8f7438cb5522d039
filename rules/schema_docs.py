"""What each key of the pack language means, with an example: the words of the JSON Schema.

Kept beside the models (rules.schema) rather than inside them, so that the models stay
readable as code; `rules.jsonschema` puts a description (a field's own `description`
wins) and an example on every property, and tests/test_pack_schema.py fails when a key
of the models has no entry here or an example that the schema itself refuses.
"""

from __future__ import annotations

from typing import Any

_TEXT_EXAMPLE = {"en": "Is the link light on?", "ru": "Горит ли индикатор связи?"}

_SEQUENCE_EXAMPLE: dict[str, Any] = {
    "id": "link",
    "first_of": [
        {
            "when": {"question": "wired_link_light", "equals": "no"},
            "then": [{"conclude": "wired_cable_faulty"}],
        },
        {
            "when": {"question": "wired_neighbours_ok", "equals": "no"},
            "then": [{"escalate": 2, "reason": "Switch port or switch down"}],
        },
    ],
}

# model name -> key (as written in a pack) -> (description, example)
FIELDS: dict[str, dict[str, tuple[str | None, Any]]] = {
    "Pack": {
        "id": (
            "The pack's id, unique among all packs: lower case letters, digits, '-', '_'.",
            "network-wired",
        ),
        "version": ("The pack's semantic version, MAJOR.MINOR.PATCH.", "1.2.0"),
        "line": ("The support line (1-4) that owns the pack and runs its rules.", 1),
        "title": (
            "The pack's name as people see it.",
            {"en": "Wired network", "ru": "Проводная сеть"},
        ),
        "status": ("The pack's stage: draft, validated, published or archived.", "published"),
        "requires": (
            "Ids of the packs whose questions, facts or faults this pack uses.",
            ["network-wired"],
        ),
        "description": (
            "What the pack covers, in a sentence or two.",
            "A desktop on a cable cannot reach the network.",
        ),
        "symptoms": (
            "Complaints the intake can start from (the pack's entry points).",
            [{"id": "wired_no_network", "title": "No network over the cable"}],
        ),
        "questions": (
            "What the agent asks the customer or checks on the equipment.",
            [{"id": "wired_link_light", "text": "Is the link light on?", "type": "yesno"}],
        ),
        "facts": (
            "Facts that rules derive; they are never asked.",
            [{"id": "wired_physical_problem", "text": "The cable or port is at fault"}],
        ),
        "faults": (
            "Known causes of trouble, each with the steps that fix it.",
            [
                {
                    "id": "wired_cable_faulty",
                    "title": "Faulty cable",
                    "fix": ["Replace the cable"],
                    "line": 1,
                    "prior": 0.15,
                }
            ],
        ),
        "rules": (
            "When their conditions hold, rules conclude a fault, derive a fact or escalate.",
            [
                {
                    "id": "no_link_light",
                    "when": {"question": "wired_link_light", "equals": "no"},
                    "then": [{"conclude": "wired_cable_faulty", "certainty": 0.6}],
                }
            ],
        ),
        "sequences": (None, [_SEQUENCE_EXAMPLE]),
        "intake": (None, ["customer", "location"]),
    },
    "Sequence": {
        "id": ("The sequence's id; its rules are named ID_1, ID_2, ... and ID_otherwise.", "link"),
        "description": ("What the checks are for, for explanations.", "Cable checks in order"),
        "when": (None, {"question": "wired_cable_seated", "equals": "yes"}),
        "priority": ("The priority of every rule of the sequence (default 0).", 10),
        "first_of": (
            "The checks in order: the first whose condition holds applies.",
            _SEQUENCE_EXAMPLE["first_of"],
        ),
        "otherwise": (None, [{"escalate": 2, "reason": "No known cable fault"}]),
    },
    "Step": {
        "id": (None, "link_dark"),
        "description": ("What the check captures, for explanations.", "No link light"),
        "when": (
            "The check's own condition (the earlier checks' are added, negated).",
            {"question": "wired_link_light", "equals": "no"},
        ),
        "then": (
            "What applies when this check is the first that holds.",
            [{"conclude": "wired_cable_faulty"}],
        ),
    },
    "Symptom": {
        "id": ("The complaint's id: lower case letters, digits and '_'.", "wired_no_network"),
        "title": (
            "The complaint as the customer or agent would say it.",
            "No network over the cable",
        ),
        "help": (
            "More words to recognise the complaint by.",
            "The network icon shows a cross or 'not connected'.",
        ),
    },
    "Question": {
        "id": ("The question's id, unique across all packs.", "wired_link_light"),
        "text": ("The question as the agent reads it out.", _TEXT_EXAMPLE),
        "type": ("The kind of answer: yesno, choice (from 'options'), number or text.", "yesno"),
        "options": (
            "The allowed answers of a choice question.",
            [
                {"value": "normal", "text": "Normal"},
                {"value": "self_assigned", "text": "Self-assigned (169.254.x.x)"},
            ],
        ),
        "unit": ("The unit of a number question's answer.", "°C"),
        "min": ("The smallest answer a number question accepts.", 0),
        "max": ("The largest answer a number question accepts.", 100),
        "cost": (None, 2),
        "help": (
            "How to check the answer, shown on request.",
            "Look at the small lamp beside the cable's plug.",
        ),
        "customer_text": (None, "Is the small lamp beside your network cable lit?"),
        "agent_only": (None, True),
        "order": (None, 1),
        "after": (None, ["wired_cable_seated"]),
        "next": (None, {"yes": "wired_link_light", "no": "wired_cable_seated"}),
        "actions": (None, ["open_case"]),
    },
    "Option": {
        "value": (
            "The answer's id, as rules compare it: lower case letters, digits, '_'.",
            "self_assigned",
        ),
        "text": ("The answer as people see it.", "Self-assigned (169.254.x.x)"),
        "score": (
            "The number this answer counts for in expressions (default: its value, when "
            "the value is a number).",
            5,
        ),
        "next": (None, "wired_link_light"),
    },
    "FactDecl": {
        "id": ("The fact's id, unique across all packs.", "wired_physical_problem"),
        "text": (
            "What the fact says, as people read it in explanations.",
            "The cable or the port is at fault",
        ),
        "type": (
            "The kind of value rules derive: yesno (default), choice, number or text.",
            "yesno",
        ),
        "options": (
            "The allowed values of a choice fact.",
            [{"value": "cable", "text": "Cable"}, {"value": "port", "text": "Port"}],
        ),
    },
    "Fault": {
        "id": ("The fault's id, unique across all packs.", "wired_cable_faulty"),
        "title": (
            "The fault as people see it.",
            {"en": "Faulty cable", "ru": "Неисправный кабель"},
        ),
        "fix": (
            "The concrete steps that fix it, at least one.",
            ["Replace the cable with a spare", "Check that the link light comes on"],
        ),
        "line": (None, 1),
        "prior": (None, 0.15),
        "description": (
            "What the fault is, for explanations.",
            "The cable is broken inside; the port and the computer are fine.",
        ),
        "vendor": ("The vendor to involve (Line 4 cases).", "Acme"),
    },
    "Rule": {
        "id": ("The rule's id, unique within the pack.", "spare_cable_fixes"),
        "description": (
            "What the rule captures, for explanations.",
            "A spare cable that works shows the old cable is broken.",
        ),
        "priority": ("Rules fire and rank by priority, highest first (default 0).", 40),
        "when": (
            None,
            {
                "all": [
                    {"fact": "wired_physical_problem", "equals": "yes"},
                    {"question": "wired_other_cable_works", "equals": "yes"},
                ]
            },
        ),
        "then": (
            "What the rule does when it fires: one or more consequences.",
            [{"conclude": "wired_cable_faulty", "certainty": 0.8}],
        ),
        "stop": (None, True),
        "fallback": (None, True),
    },
    "Condition": {
        "expr": (
            "A comparison over known numbers and option scores, e.g. "
            "'score(fan_noise) + dust >= 5' (+ - * /, min, max, abs, parentheses).",
            "score(fan_noise) + dust >= 5",
        ),
        "known": (
            "Holds when the question or fact has an answer (true) or has none yet (false).",
            True,
        ),
        "all": (
            "Holds when every condition in the list holds.",
            [
                {"question": "wired_link_light", "equals": "no"},
                {"question": "wired_cable_seated", "equals": "yes"},
            ],
        ),
        "any": (
            "Holds when at least one condition in the list holds.",
            [
                {"question": "ip_kind", "equals": "self_assigned"},
                {"question": "ip_kind", "equals": "none"},
            ],
        ),
        "not": (
            "Holds when the condition is known not to hold.",
            {"question": "wired_link_light", "equals": "yes"},
        ),
        "question": ("A comparison on the answer to this question.", "wired_link_light"),
        "fact": ("A comparison on this derived fact.", "wired_physical_problem"),
        "intake": (
            "A comparison on this intake field (customer, location, equipment_type, "
            "equipment_model, equipment_serial, service_form, channel, complaint).",
            "service_form",
        ),
        "equals": (
            "The answer is exactly this: yes/no, an option's value, a number or a text.",
            "no",
        ),
        "one_of": ("The answer is one of these.", ["self_assigned", "none"]),
        "less_than": ("A number answer below this.", 10),
        "greater_than": ("A number answer above this.", 80),
        "between": ("A number answer in [low, high], both included.", [20, 80]),
        "contains": ("A text answer containing this (case does not matter).", "0x80070005"),
    },
    "Consequence": {
        "conclude": ("The fault this rule points to.", "wired_cable_faulty"),
        "certainty": (
            "How sure the conclusion is, -1..1 (default 1; negative: rules it out).",
            0.8,
        ),
        "derive": ("The fact this rule sets (it needs a 'value').", "wired_physical_problem"),
        "expr": (
            "The arithmetic that computes the derived fact from known numbers and option "
            "scores, instead of a 'value'; pending until every input is known.",
            "score(fan_noise) + max(room_temp - 25, 0) / 5",
        ),
        "value": ("The value the derived fact gets.", "yes"),
        "escalate": ("The higher support line the case goes to (it needs a 'reason').", 2),
        "reason": (
            "Why the case goes to the higher line, as the next line reads it.",
            "The switch port needs an administrator",
        ),
        "forbids": (None, ["open_case"]),
    },
    "Text": {
        "en": ("The text in English.", "Is the link light on?"),
        "ru": (
            "The text in Russian (English is shown when it is missing).",
            "Горит ли индикатор связи?",
        ),
    },
}
