"""Agent translation catalogue: extract messages from the source, update the .po, compile .mo.

    python build/i18n.py update    # add new msgids to zh_CN .po (empty), drop vanished ones
    python build/i18n.py compile   # write the .mo files next to the .po files
    python build/i18n.py check     # exit 1 if a msgid lacks a translation or .mo is stale

A message is a string literal given as first argument to ``_``, ``N_``, ``localized`` or
``ngettext`` (first two) anywhere under ``agent/``.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "agent"
LOCALE = SOURCE / "locale"
CATALOGUES = {"zh_CN": LOCALE / "zh_CN" / "LC_MESSAGES" / "minecheck.po"}
MARKERS = {"_", "N_", "localized"}
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


def extract(source: Path = SOURCE) -> dict[str, list[str]]:
    """msgid -> list of 'path:line' where it occurs."""
    found: dict[str, list[str]] = {}
    for path in sorted(source.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            literals: list[ast.expr] = []
            if name in MARKERS:
                literals = [node.args[0]]
            elif name == "ngettext":
                literals = list(node.args[:2])
            for arg in literals:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    found.setdefault(arg.value, []).append(where)
    return found


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("{{", "").replace("}}", "")))


def load(lang: str) -> polib.POFile:
    path = CATALOGUES[lang]
    if path.exists():
        return polib.pofile(str(path), wrapwidth=0)
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": "minecheck",
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    return po


def update() -> None:
    messages = extract()
    for lang, path in CATALOGUES.items():
        po = load(lang)
        existing = {e.msgid: e for e in po}
        entries = []
        for msgid in sorted(messages):
            entry = existing.get(msgid) or polib.POEntry(msgid=msgid, msgstr="")
            entry.occurrences = [
                (w.rsplit(":", 1)[0], w.rsplit(":", 1)[1]) for w in messages[msgid]
            ]
            if "{" in msgid:
                entry.flags = sorted(set(entry.flags) | {"python-brace-format"})
            entries.append(entry)
        po[:] = entries
        path.parent.mkdir(parents=True, exist_ok=True)
        po.save(str(path))
        missing = [e.msgid for e in po if not e.msgstr]
        print(f"{path.relative_to(ROOT)}: {len(po)} messages, {len(missing)} untranslated")


def compile_all() -> None:
    for lang, path in CATALOGUES.items():
        po = load(lang)
        po.save_as_mofile(str(path.with_suffix(".mo")))
        print(f"compiled {path.with_suffix('.mo').relative_to(ROOT)}")


def problems() -> list[str]:
    """Everything wrong with the catalogues, as readable lines."""
    out: list[str] = []
    messages = extract()
    for lang, path in CATALOGUES.items():
        po = load(lang)
        seen: dict[str, int] = {}
        for e in po:
            seen[e.msgid] = seen.get(e.msgid, 0) + 1
        out += [f"{lang}: duplicate msgid {m!r}" for m, n in seen.items() if n > 1]
        by_id = {e.msgid: e for e in po}
        for msgid, where in sorted(messages.items()):
            entry = by_id.get(msgid)
            if entry is None or not entry.msgstr or "fuzzy" in entry.flags:
                out.append(f"{lang}: no translation for {msgid!r} ({where[0]})")
            elif placeholders(entry.msgstr) != placeholders(msgid):
                out.append(f"{lang}: placeholders differ in {msgid!r}")
        mo_path = path.with_suffix(".mo")
        if not mo_path.exists():
            out.append(f"{lang}: {mo_path.name} missing (run `make i18n`)")
        else:
            mo = {e.msgid: e.msgstr for e in polib.mofile(str(mo_path))}
            po_map = {e.msgid: e.msgstr for e in po if e.msgstr and "fuzzy" not in e.flags}
            if mo != po_map:
                out.append(f"{lang}: {mo_path.name} is stale (run `make i18n`)")
    return out


def merge_files(ours: Path, theirs: Path) -> None:
    """git merge driver: union of both catalogues by msgid, written to ``ours``.

    Configure: git config merge.po.driver "python build/i18n.py merge %A %B"
    """
    a = polib.pofile(str(ours), wrapwidth=0)
    b = polib.pofile(str(theirs), wrapwidth=0)
    merged: dict[str, polib.POEntry] = {}
    for entry in list(a) + list(b):
        have = merged.get(entry.msgid)
        if have is None or (not have.msgstr and entry.msgstr):
            merged[entry.msgid] = entry
    a[:] = [merged[k] for k in sorted(merged)]
    a.save(str(ours))


def dedupe(path: Path) -> None:
    """Repair a catalogue that holds a msgid twice (keeps the translated entry)."""
    merge_files(path, path)


def main(argv: list[str]) -> int:
    cmd = argv[1] if len(argv) > 1 else "check"
    if cmd == "merge":
        merge_files(Path(argv[2]), Path(argv[3]))
        return 0
    if cmd == "dedupe":
        dedupe(Path(argv[2]))
        return 0
    if cmd == "update":
        update()
    elif cmd == "compile":
        compile_all()
    elif cmd == "check":
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
