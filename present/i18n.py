"""The product's own words in English and Russian, from gettext catalogues.

Messages are written in English in the code as `words.t("...")` (or `words.n(...)` for
plural forms); `pybabel extract` (config in babel.cfg) collects them into
present/locale/linewise.pot, the Russian catalogue is present/locale/ru/LC_MESSAGES/
linewise.po, and its compiled .mo is committed beside it (a test checks that it is up
to date; `scripts/i18n` refreshes both). English needs no catalogue.
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path
from typing import Any

LANGS: tuple[str, ...] = ("en", "ru")
DOMAIN = "linewise"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue of `lang` (English: the messages as written); the web's templates
    use it through Jinja2's i18n extension."""
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True)


class Words:
    """The product's strings in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else "en"
        self._tr = translations(self.lang)

    def t(self, message: str, **fields: Any) -> str:
        """`message` in this language, with `{name}` fields filled in."""
        text = self._tr.gettext(message)
        return text.format(**fields) if fields else text

    def n(self, singular: str, plural: str, count: int, **fields: Any) -> str:
        """A message with a count, in the plural form the language needs."""
        return self._tr.ngettext(singular, plural, count).format(count=count, **fields)

    def yes_no(self, value: bool) -> str:
        return self.t("yes") if value else self.t("no")


@functools.cache
def words(lang: str) -> Words:
    return Words(lang)


def status_label(status: str, w: Words) -> str:
    labels = {
        "open": w.t("open"),
        "abandoned": w.t("paused"),
        "escalated": w.t("escalated"),
        "resolved": w.t("resolved"),
        "unresolved": w.t("unresolved"),
    }
    return labels.get(status, status)
