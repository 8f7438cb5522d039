"""The product's own strings: every one extracted from the code has a Russian
translation with the same placeholders, and the committed .mo is compiled from the .po."""

from __future__ import annotations

import io
import re
import string
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from present.i18n import LOCALE_DIR, words
from tests.conftest import ROOT
from tests.webapp import web_app

PO = LOCALE_DIR / "ru" / "LC_MESSAGES" / "linewise.po"
MO = PO.with_suffix(".mo")


def _extracted() -> set[str]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: set[str] = set()
    keywords = {"t": None, "n": (1, 2), "_": None}
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_ui_string_is_translated_with_the_same_fields() -> None:
    catalog = read_po(PO.open("rb"), locale="ru")
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id): m
        for m in catalog
        if m.id and m.string and not m.fuzzy
    }
    extracted = _extracted()
    assert len(extracted) > 100
    missing = sorted(extracted - set(translated))
    assert missing == [], "run scripts/i18n and translate these in the .po"
    for msgid, message in translated.items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            assert _fields(text) == _fields(msgid), (msgid, text)


def test_the_committed_mo_is_compiled_from_the_po() -> None:
    catalog = read_po(PO.open("rb"), locale="ru")
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    assert compiled.getvalue() == MO.read_bytes(), "run scripts/i18n to recompile the .mo"


@pytest.mark.parametrize(
    ("lang", "yes", "answers"),
    [("en", "yes", "3 answers"), ("ru", "да", "3 ответа")],
)
def test_words_in_both_languages(lang: str, yes: str, answers: str) -> None:
    w = words(lang)
    assert w.t("yes") == yes
    text = w.n(
        "{status} at Line {line}; {count} answer so far.",
        "{status} at Line {line}; {count} answers so far.",
        3,
        status="x",
        line=1,
    )
    assert answers in text


def _python_fields(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s", text))


def test_page_strings_are_extracted_from_the_templates_with_their_fields() -> None:
    extracted = _extracted()
    # the console's and the portal's own words come from the templates (Jinja2 i18n)
    assert {"Agent console", "What is wrong?", "Take it up at Line %(line)s", "WHY"} <= extracted
    catalog = read_po(PO.open("rb"), locale="ru")
    for message in catalog:
        if message.id and isinstance(message.id, str) and "%(" in message.id:
            assert _python_fields(str(message.string)) == _python_fields(message.id), message.id


class _Text(HTMLParser):
    """The words a person reads on a page (no scripts, styles or attribute values)."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("script", "style", "title")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style", "title")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.words += re.findall(r"[A-Za-z]{3,}", data)


def _russian_pack_words() -> set[str]:
    """Latin words the packs' own Russian texts use (product names: Outlook, MFA, ...)."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "ru" and isinstance(value, str):
                    found.update(re.findall(r"[A-Za-z]{3,}", value))
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in (ROOT / "rules").rglob("*.yaml"):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def _english(html: str) -> list[str]:
    """Latin words on a page that neither the product's name nor a pack text explains."""
    parser = _Text()
    parser.feed(html)
    allowed = {"linewise"} | _russian_pack_words()
    return [w for w in parser.words if w not in allowed]


def test_console_and_portal_pages_in_russian_have_no_english_left(tmp_path: Path) -> None:
    with web_app(tmp_path, lang="ru") as web:
        login = web.client.get("/console/login").text
        assert "Консоль агента" in login and _english(login) == []
        portal = web.client.get("/portal/").text
        assert "Что случилось?" in portal and _english(portal) == []
        web.login("anna")
        queues = web.client.get("/console/").text
        assert "Открыть обращение" in queues
        assert _english(queues) == ["anna"]
        case = web.open({"complaint": "wired_no_network", "service_form": "paid"})["case"]
        page = web.client.get(f"/console/cases/{case}").text
        assert "ПОЧЕМУ" in page and "Назад" in page
        assert set(_english(page)) <= {"anna"}, _english(page)
