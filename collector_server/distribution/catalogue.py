"""This app's zh-Hans catalogue: ``python -m collector_server.distribution.catalogue check``
exits 1 when a message of the templates or views lacks a translation or the .mo is stale;
``compile`` writes the .mo with polib (no GNU gettext needed)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import polib

HERE = Path(__file__).resolve().parent
PO = HERE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
TEMPLATE_MSG = re.compile(r"""\{%\s*translate\s+"(.*?)"\s*%\}""", re.S)
PY_MSG = re.compile(r"""\b(?:_|_lazy)\(\s*((?:"[^"]*"\s*)+)""", re.S)


def extract() -> set[str]:
    found: set[str] = set()
    for path in (HERE / "templates").rglob("*.html"):
        found.update(TEMPLATE_MSG.findall(path.read_text(encoding="utf-8")))
    for path in HERE.glob("*.py"):
        for literal in PY_MSG.findall(path.read_text(encoding="utf-8")):
            found.add("".join(re.findall(r'"([^"]*)"', literal)))
    return found


def problems() -> list[str]:
    po = polib.pofile(str(PO))
    have = {e.msgid: e for e in po}
    out = [f"missing: {m!r}" for m in sorted(extract()) if m not in have]
    out += [f"untranslated: {e.msgid!r}" for e in po if not e.msgstr or "fuzzy" in e.flags]
    mo = PO.with_suffix(".mo")
    if not mo.exists():
        out.append("django.mo missing")
    else:
        compiled = {e.msgid: e.msgstr for e in polib.mofile(str(mo))}
        out += [f"stale .mo: {e.msgid!r}" for e in po if compiled.get(e.msgid) != e.msgstr]
    return out


def main(argv: list[str]) -> int:
    if argv and argv[0] == "compile":
        polib.pofile(str(PO)).save_as_mofile(str(PO.with_suffix(".mo")))
        return 0
    found = problems()
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
