"""Translations: Babel catalogs read from ``web/locale`` at start-up (no compiled .mo files to forget).

msgids are English; ``zh_CN`` is the default locale and its catalog is complete (a test checks it).
"""

from __future__ import annotations

import datetime as dt  # the class below has a method named ``datetime``
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from markupsafe import Markup

from core import clock
from core.errors import Message, Msgid

LOCALE_DIR = Path(__file__).parent / "locale"
LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
LANG_COOKIE = "gz_lang"
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}
WEEKDAYS = {
    "zh_CN": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


def load_catalog(locale: str) -> Translations:
    """The compiled catalog for ``locale`` (empty for a locale without a .po file)."""
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return Translations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def _trusted(translated: str) -> Markup:
    """A msgid or its translation as markup: both are ours (code and the catalogs in this repository,
    some with ``<strong>`` or a link); what users wrote only ever arrives as a %-value, escaped."""
    return Markup(translated)  # noqa: S704 - never user text, see above


@dataclass(frozen=True)
class Translator:
    """One locale's gettext functions for templates and for domain messages.

    A text without values (an enum's label: ``_(p.stance.label)``, twice per post on a thread page) is
    looked up in the catalog once per process and kept, since a catalog does not change while it runs.
    """

    locale: str
    catalog: Translations
    _labels: dict[str, Markup] = field(default_factory=dict, compare=False, repr=False)

    @property
    def html_lang(self) -> str:
        return HTML_LANG[self.locale]

    def gettext(self, message: str, **params: Any) -> Markup:
        """Template ``_()``: the translation is trusted markup, the values are escaped."""
        if not params:
            found = self._labels.get(message)
            if found is None:
                found = self._labels[message] = _trusted(self.catalog.gettext(message)) % {}
            return found
        return _trusted(self.catalog.gettext(message)) % {k: self._value(v) for k, v in params.items()}

    def ngettext(self, singular: str, plural: str, n: int, **params: Any) -> Markup:
        params.setdefault("num", n)
        return _trusted(self.catalog.ngettext(singular, plural, n)) % {
            k: self._value(v) for k, v in params.items()
        }

    def text(self, message: str, **params: Any) -> str:
        """Plain-text translation for headers, logs and JSON."""
        translated = self.catalog.gettext(message)
        return translated % {k: self._value(v) for k, v in params.items()} if params else translated

    def message(self, message: Message) -> Markup:
        """Translate a domain ``Message`` (a msgid with values)."""
        if not message.params:
            return _trusted(self.catalog.gettext(message.key))
        return self.gettext(message.key, **message.params)

    def datetime(self, moment: datetime | None, with_date: bool = True) -> str:
        """A UTC moment as Asia/Shanghai wall-clock time."""
        if moment is None:
            return ""
        shown = clock.local(moment)
        if not with_date:
            return shown.strftime("%H:%M")
        if self.locale == "zh_CN":
            return f"{shown.year}年{shown.month}月{shown.day}日 {shown:%H:%M}"
        return shown.strftime("%Y-%m-%d %H:%M")

    def date(self, day: date | dt.datetime | None) -> str:
        if day is None:
            return ""
        if isinstance(day, dt.datetime):
            day = clock.local(day).date()
        return f"{day.year}年{day.month}月{day.day}日" if self.locale == "zh_CN" else day.isoformat()

    def span(self, start: dt.datetime, end: dt.datetime) -> str:
        """A shift's time: its day with the weekday, and the hours, in Asia/Shanghai."""
        first, last = clock.local(start), clock.local(end)
        day = WEEKDAYS[self.locale][first.weekday()]
        until = f"{last:%H:%M}" if last.date() == first.date() else self.datetime(end)
        if self.locale == "zh_CN":
            return f"{first.month}月{first.day}日（{day}）{first:%H:%M}–{until}"
        return f"{day} {first:%Y-%m-%d} {first:%H:%M}–{until}"

    def _value(self, value: Any) -> Any:
        if isinstance(value, Msgid):
            return self.catalog.gettext(value)
        if isinstance(value, datetime):
            same_day = clock.local(value).date() == clock.local(clock.now()).date()
            return self.datetime(value, with_date=not same_day)
        return value


class Catalogs:
    """All locales, loaded once per process."""

    def __init__(self) -> None:
        self._translators = {locale: Translator(locale, load_catalog(locale)) for locale in LOCALES}

    def for_locale(self, locale: str | None) -> Translator:
        return self._translators.get(locale or DEFAULT_LOCALE, self._translators[DEFAULT_LOCALE])
