"""Localised texts: every user-visible string may be given in English and Russian."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

Lang = Literal["en", "ru"]
LANGS: tuple[Lang, ...] = ("en", "ru")


class Text(BaseModel):
    """A text in English, optionally in Russian; a plain string means English."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    en: str
    ru: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_string(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"en": data}
        return data

    def get(self, lang: str = "en") -> str:
        """The text in `lang`, falling back to English."""
        if lang == "ru" and self.ru:
            return self.ru
        return self.en

    def __str__(self) -> str:
        return self.en
