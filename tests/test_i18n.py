"""The product's own strings: every one extracted from the code has a Russian
translation with the same placeholders, and the committed .mo is compiled from the .po."""

from __future__ import annotations

import io
import string

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from present.i18n import LOCALE_DIR, words
from tests.conftest import ROOT

PO = LOCALE_DIR / "ru" / "LC_MESSAGES" / "linewise.po"
MO = PO.with_suffix(".mo")


def _extracted() -> set[str]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: set[str] = set()
    keywords = {"t": None, "n": (1, 2)}
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
