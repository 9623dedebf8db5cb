"""Message catalogues (Babel .po files): Vietnamese first, English second.

Message ids are English; ``locale/vi/LC_MESSAGES/messages.po`` holds the Vietnamese. Catalogues
are compiled in memory at start-up, so there is no build step and no binary .mo in git.
Plugins ship their own ``locale/`` folder next to their templates.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path
from typing import Callable, Iterable

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = ("vi", "en")
DOMAIN = "messages"


class Catalogues:
    def __init__(self, dirs: Iterable[Path]) -> None:
        self._translations: dict[str, gettext.NullTranslations] = {}
        for locale in LOCALES:
            merged: gettext.NullTranslations = gettext.NullTranslations()
            for folder in dirs:
                po = Path(folder) / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
                if not po.exists():
                    continue
                with po.open("rb") as fh:
                    catalog = read_po(fh, locale=locale)
                buf = io.BytesIO()
                write_mo(buf, catalog)
                buf.seek(0)
                trans = gettext.GNUTranslations(buf)
                if isinstance(merged, gettext.GNUTranslations):
                    merged.add_fallback(trans)
                else:
                    merged = trans
            self._translations[locale] = merged

    def gettext(self, locale: str) -> Callable[[str], str]:
        trans = self._translations.get(locale) or self._translations["vi"]
        return trans.gettext

    def ngettext(self, locale: str) -> Callable[[str, str, int], str]:
        trans = self._translations.get(locale) or self._translations["vi"]
        return trans.ngettext


CORE_LOCALE_DIR = Path(__file__).parent / "locale"
