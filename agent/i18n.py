"""Translation catalogue access (gettext). Message ids are English; zh_CN is the default UI.

Mark text with ``_()`` for the current language, ``N_()`` to mark without translating,
and ``localized()`` to build a :class:`LocalizedText` carrying both languages (for text that
travels in a report and is displayed later in either language).
"""

from __future__ import annotations

import gettext
import os
import sys
from functools import cache
from pathlib import Path

DOMAIN = "minecheck"
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
_GETTEXT_LOCALE = {"zh": "zh_CN", "en": "en"}


def locale_dir() -> Path:
    """Folder holding the compiled catalogues (also inside a PyInstaller bundle)."""
    base = getattr(sys, "_MEIPASS", None)
    if base:
        frozen = Path(base) / "agent" / "locale"
        if frozen.is_dir():
            return frozen
    return Path(__file__).resolve().parent / "locale"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue for ``lang``; English is the identity catalogue."""
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, str(locale_dir()), [_GETTEXT_LOCALE[lang]])


_current_language = DEFAULT_LANGUAGE


def normalize_language(value: str | None) -> str:
    """Map 'zh_CN.UTF-8', 'zh-hans', 'en_US', 'EN' ... to one of LANGUAGES; unknown -> zh."""
    if not value:
        return DEFAULT_LANGUAGE
    v = value.strip().lower().replace("-", "_")
    if v.startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


def system_language() -> str:
    """The language the system asks for (environment, then the OS UI language), else zh.

    A C/POSIX locale says nothing about the user's language, so it gives the default.
    """
    for var in ("MINECHECK_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            if value.split(".")[0] in ("C", "POSIX"):
                return DEFAULT_LANGUAGE
            return normalize_language(value)
    from agent import platform as plat  # imported here: agent.platform imports this module

    ui = plat.ui_language()
    if ui:
        return normalize_language(ui)
    return DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    global _current_language
    _current_language = normalize_language(lang)


def get_language() -> str:
    return _current_language


def _(message: str) -> str:
    """Translate into the current language."""
    return translations(_current_language).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current_language).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for extraction without translating it now."""
    return message


def gettext_in(lang: str, message: str) -> str:
    """Translate ``message`` into ``lang`` regardless of the current language."""
    return translations(normalize_language(lang)).gettext(message)


def localized(message: str, **params: object):
    """Both languages of one message, formatted with ``params`` (str.format placeholders)."""
    from agent.wire.report import LocalizedText

    return LocalizedText(
        zh=gettext_in("zh", message).format(**params),
        en=message.format(**params),
    )
