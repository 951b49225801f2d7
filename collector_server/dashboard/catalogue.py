"""The dashboard's own translation catalogue (dashboard + ledgerio): extract, compile, check.

    python -m collector_server.dashboard.catalogue update   # add new msgids (empty msgstr)
    python -m collector_server.dashboard.catalogue compile  # write django.mo with polib
    python -m collector_server.dashboard.catalogue check    # exit 1: untranslated or stale .mo

Works without GNU gettext (CI may lack msgfmt). Templates: {% translate "…" %} and
{% blocktranslate [count n=…] %}…{% endblocktranslate %}; Python: _(…), gettext(_lazy)(…).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import polib

HERE = Path(__file__).resolve().parent
SOURCES = [HERE, HERE.parent / "ledgerio"]
PO = HERE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

TRANSLATE = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.*?)\1""", re.S)
BLOCK = re.compile(r"\{%\s*blocktrans(?:late)?\b([^%]*)%\}(.*?)\{%\s*endblocktrans(?:late)?\s*%\}",
                   re.S)
VAR = re.compile(r"\{\{\s*(\w+)\s*\}\}")
PY_MARKERS = {"_", "gettext", "gettext_lazy", "pgettext", "ngettext"}


def _block_msgid(text: str) -> str:
    return VAR.sub(lambda m: f"%({m.group(1)})s", text.replace("%", "%%"))


def extract() -> dict[str, str | None]:
    """msgid -> msgid_plural (or None) found in the sources."""
    found: dict[str, str | None] = {}
    for root in SOURCES:
        for path in sorted(root.rglob("*.html")):
            text = path.read_text(encoding="utf-8")
            for _q, msgid in TRANSLATE.findall(text):
                found.setdefault(msgid, None)
            for _args, body in BLOCK.findall(text):
                singular, _sep, plural = body.partition("{% plural %}")
                found[_block_msgid(singular)] = _block_msgid(plural) if plural else None
        for path in sorted(root.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and node.args):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in PY_MARKERS:
                    arg = node.args[0]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.setdefault(arg.value, None)
    return found


def load() -> polib.POFile:
    if PO.exists():
        return polib.pofile(str(PO), wrapwidth=0)
    po = polib.POFile(wrapwidth=0)
    po.metadata = {"Project-Id-Version": "minecheck dashboard", "Language": "zh_Hans",
                   "MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8",
                   "Content-Transfer-Encoding": "8bit", "Plural-Forms": "nplurals=1; plural=0;"}
    return po


def update() -> list[str]:
    """Add msgids found in the sources and missing from the .po; returns them."""
    po = load()
    have = {e.msgid for e in po}
    added = []
    for msgid, plural in extract().items():
        if msgid in have:
            continue
        entry = polib.POEntry(msgid=msgid, msgstr="")
        if plural:
            entry = polib.POEntry(msgid=msgid, msgid_plural=plural, msgstr_plural={0: ""})
        po.append(entry)
        added.append(msgid)
    PO.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(PO))
    return added


def compile_mo() -> None:
    load().save_as_mofile(str(MO))


def problems() -> list[str]:
    """Untranslated, fuzzy or missing msgids, and a .mo that does not match the .po."""
    po = load()
    entries = {e.msgid: e for e in po if not e.obsolete}
    out = []
    for msgid in extract():
        entry = entries.get(msgid)
        if entry is None:
            out.append(f"missing from {PO.name}: {msgid!r}")
        elif "fuzzy" in entry.flags:
            out.append(f"fuzzy: {msgid!r}")
        elif not (entry.msgstr or any(entry.msgstr_plural.values())):
            out.append(f"untranslated: {msgid!r}")
    if not MO.exists():
        out.append(f"{MO.name} missing: run `python -m {__name__} compile`")
    else:
        compiled = {e.msgid: (e.msgstr, dict(e.msgstr_plural)) for e in polib.mofile(str(MO))}
        for entry in entries.values():
            if entry.msgid and compiled.get(entry.msgid, (None,))[0] is None and (
                    entry.msgstr or entry.msgstr_plural):
                out.append(f"{MO.name} is stale (lacks {entry.msgid!r}): recompile")
                break
            if entry.msgid and entry.msgstr and compiled[entry.msgid][0] != entry.msgstr:
                out.append(f"{MO.name} is stale ({entry.msgid!r} differs): recompile")
                break
    return out


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        for msgid in update():
            print("added:", msgid)
        return 0
    if command == "compile":
        compile_mo()
        return 0
    found = problems()
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
