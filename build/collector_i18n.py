"""Collector translation catalogue (Django i18n): collector_server/locale/zh_Hans/.../django.po

    python build/collector_i18n.py update    # add new msgids found in the source (empty msgstr)
    python build/collector_i18n.py compile   # write django.mo next to the .po (polib, no msgfmt)
    python build/collector_i18n.py check     # exit 1 if a msgid is untranslated or .mo is stale

Messages: string literals given to ``_``, ``gettext``, ``gettext_lazy``, ``gettext_noop``,
``pgettext``-less; ``{% translate "…" %}``/``{% trans "…" %}`` and
``{% blocktranslate %}…{% endblocktranslate %}`` in templates, anywhere under collector_server/.
Entries are kept whole so several branches can union-merge the .po.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "collector_server"
PO = SOURCE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
MARKERS = {"_", "gettext", "gettext_lazy", "gettext_noop", "N_"}
TRANS = re.compile(r"""{%\s*(?:translate|trans)\s+(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
BLOCK = re.compile(
    r"{%\s*blocktrans(?:late)?\b([^%]*)%}(.*?){%\s*endblocktrans(?:late)?\s*%}", re.S
)
VAR = re.compile(r"{{\s*(\w+)\s*}}")


def _block_msgid(options: str, text: str) -> str:
    text = text.split("{% plural %}")[0]
    if "trimmed" in options:
        text = " ".join(line.strip() for line in text.strip().splitlines() if line.strip())
    return VAR.sub(lambda m: f"%({m.group(1)})s", text.replace("%", "%%"))


def extract() -> dict[str, list[str]]:
    """msgid -> occurrences ('path:line')."""
    found: dict[str, list[str]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            arg = node.args[0]
            if name in MARKERS and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.setdefault(arg.value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    for path in sorted(SOURCE.rglob("*.html")) + sorted(SOURCE.rglob("*.txt")):
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(ROOT))
        for match in TRANS.finditer(text):
            msgid = match.group(1) if match.group(1) is not None else match.group(2)
            found.setdefault(msgid, []).append(
                f"{where}:{text.count(chr(10), 0, match.start()) + 1}"
            )
        for match in BLOCK.finditer(text):
            msgid = _block_msgid(match.group(1), match.group(2))
            found.setdefault(msgid, []).append(
                f"{where}:{text.count(chr(10), 0, match.start()) + 1}"
            )
    return found


def load() -> polib.POFile:
    if PO.exists():
        return polib.pofile(str(PO), wrapwidth=0)
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": "minecheck collector",
        "Language": "zh_Hans",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    return po


def update() -> int:
    po = load()
    known = {e.msgid for e in po}
    added = 0
    for msgid, where in extract().items():
        if msgid not in known:
            po.append(
                polib.POEntry(
                    msgid=msgid, msgstr="", occurrences=[tuple(w.rsplit(":", 1)) for w in where[:3]]
                )
            )
            added += 1
    PO.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(PO))
    print(f"{PO.relative_to(ROOT)}: {added} new message(s), {len(po)} in all")
    return 0


def compile_mo() -> int:
    load().save_as_mofile(str(MO))
    print(f"wrote {MO.relative_to(ROOT)}")
    return 0


def problems() -> list[str]:
    po = load()
    issues = [
        f"untranslated: {e.msgid!r}"
        for e in po
        if not e.obsolete and (not e.msgstr or "fuzzy" in e.flags)
    ]
    missing = sorted(set(extract()) - {e.msgid for e in po})
    issues += [f"not in the catalogue (run update): {m!r}" for m in missing]
    if not MO.exists():
        issues.append(f"{MO.relative_to(ROOT)} missing (run compile)")
    else:
        compiled = {e.msgid: e.msgstr for e in polib.mofile(str(MO)) if e.msgid}
        wanted = {e.msgid: e.msgstr for e in po if e.msgstr and not e.obsolete}
        if compiled != wanted:
            issues.append(f"{MO.relative_to(ROOT)} is stale (run compile)")
    return issues


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        return update()
    if command == "compile":
        return compile_mo()
    issues = problems()
    for issue in issues:
        print(issue)
    return 1 if issues else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
