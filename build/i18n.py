"""Translation catalogues of both sides, with Babel: extract, update the .po, compile the .mo.

    python build/i18n.py update  [agent|collector]  # add new msgids (empty msgstr)
    python build/i18n.py compile [agent|collector]  # write the .mo next to each .po
    python build/i18n.py check   [agent|collector]  # exit 1: untranslated msgid or stale .mo
    python build/i18n.py merge OURS THEIRS          # git merge driver for .po files

Without a side, both. One pipeline, two catalogues:

agent      agent/locale/zh_CN/LC_MESSAGES/minecheck.po. Messages: the first argument of
           ``_``, ``N_``, ``localized`` and both of ``ngettext`` under agent/ (Babel's Python
           extractor) and the Jinja2 templates (Jinja2's Babel extractor). Vanished msgids
           are dropped; every ``{placeholder}`` of a msgid must be in its translation.
collector  collector_server/locale/zh_Hans/LC_MESSAGES/django.po (Django's format).
           Messages: ``_``/``gettext``/``gettext_lazy``/``gettext_noop``/``N_``/``ngettext``
           in Python and ``{% translate %}``/``{% blocktranslate %}`` in templates, read
           through Django's own ``templatize`` (what ``makemessages`` feeds xgettext), so no
           GNU gettext is needed. Entries are never dropped, so branches can union-merge.

Merging: ``git config merge.po.driver ".venv/bin/python build/i18n.py merge %A %B"``
(.gitattributes names the driver for ``*.po``) keeps the union of both catalogues by msgid.
"""

import io
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import PoFileParser, write_po

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")
Extractor = Callable[..., Iterator]


def extract_django_template(fileobj, keywords, comment_tags, options) -> Iterator:
    """Babel extractor for Django templates: Django's ``templatize`` turns the template into
    Python-like text with gettext calls, which Babel's Python extractor reads."""
    from django.utils.translation.template import templatize  # needs no settings

    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    yield from extract_python(
        io.BytesIO(templatize(source).encode("utf-8")), keywords, comment_tags, options
    )


@dataclass(frozen=True)
class Side:
    """One catalogue and where its messages come from."""

    name: str
    source: Path
    po: Path
    locale: str
    keywords: dict
    method_map: list[tuple[str, str | Extractor]]
    project: str
    drop_vanished: bool  # agent: yes; collector: never (branches union-merge the .po)
    brace_format: bool  # agent messages use {name}; check them in translations
    location_limit: int | None = None  # occurrences kept per entry (None: all)
    sort_output: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def mo(self) -> Path:
        return self.po.with_suffix(".mo")


AGENT = Side(
    name="agent",
    source=ROOT / "agent",
    po=ROOT / "agent" / "locale" / "zh_CN" / "LC_MESSAGES" / "minecheck.po",
    locale="zh_CN",
    keywords={"_": None, "N_": None, "localized": None, "ngettext": (1, 2)},
    method_map=[("**/templates/**.html", "jinja2"), ("**.py", "python")],
    project="minecheck",
    drop_vanished=True,
    brace_format=True,
)
COLLECTOR = Side(
    name="collector",
    source=ROOT / "collector_server",
    po=ROOT / "collector_server" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po",
    locale="zh_Hans",
    keywords={
        "_": None,
        "gettext": None,
        "gettext_lazy": None,
        "gettext_noop": None,
        "N_": None,
        "ngettext": (1, 2),
        "ngettext_lazy": (1, 2),
    },
    method_map=[
        ("**/migrations/**", "ignore"),
        ("**.py", "python"),
        ("**/templates/**.html", extract_django_template),
        ("**/templates/**.txt", extract_django_template),
    ],
    project="minecheck collector",
    drop_vanished=False,
    brace_format=False,
    location_limit=3,
    sort_output=False,
)
SIDES = {"agent": AGENT, "collector": COLLECTOR}
# Kept for callers of the agent-only tool (tests, docs).
CATALOGUES = {AGENT.locale: AGENT.po}


def extract(side: Side = AGENT) -> dict[str, list[str]]:
    """msgid -> list of 'path:line' where it occurs (each plural form is its own msgid, as
    the runtime looks them up)."""
    found: dict[str, list[str]] = {}
    prefix = side.source.relative_to(ROOT).as_posix()
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(side.source),
        method_map=side.method_map,
        keywords=side.keywords,
        comment_tags=(),
        strip_comment_tags=True,
    ):
        for msgid in message if isinstance(message, tuple) else (message,):
            if msgid:
                found.setdefault(msgid, []).append(f"{prefix}/{filename}:{lineno}")
    return found


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("{{", "").replace("}}", "")))


class _KeepTranslated(PoFileParser):
    """Babel's .po parser, except that of a msgid written twice (a bad merge) the translated
    entry wins (Babel keeps the first)."""

    def _add_message(self) -> None:
        earlier = translation = None
        if len(self.messages) == 1 and not self.obsolete and not self.context:
            earlier = self.catalog.get(self.messages[0].denormalize())
            translation = self.translations[0][1].denormalize()
        super()._add_message()
        if earlier is not None and not earlier.string and translation:
            earlier.string = translation


def read_po(path: Path, locale: str | None = None) -> Catalog:
    catalog = Catalog(locale=locale)
    with path.open("rb") as fh:
        _KeepTranslated(catalog, ignore_obsolete=False).parse(fh)
    return catalog


def load(side: Side = AGENT) -> Catalog:
    if side.po.exists():
        return read_po(side.po, side.locale)
    return Catalog(locale=side.locale, project=side.project, fuzzy=False)


def _version() -> str:
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    match = re.search(r'^version = "([^"]+)"', pyproject.read_text("utf-8"), re.M)
    return match.group(1) if match else "0"


def save(side: Side, catalog: Catalog) -> None:
    catalog.project, catalog.version = side.project, _version()
    catalog.msgid_bugs_address = ""
    catalog.last_translator = catalog.language_team = "minecheck developers"
    side.po.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, catalog, width=0, sort_output=side.sort_output, include_previous=False)
    side.po.write_bytes(buf.getvalue())


def _locations(where: list[str], limit: int | None) -> list[tuple[str, int]]:
    pairs = [(w.rsplit(":", 1)[0], int(w.rsplit(":", 1)[1])) for w in where]
    return pairs[:limit] if limit else pairs


def update(only: list[Side] | None = None) -> None:
    """Bring each catalogue in line with the source (translations are kept)."""
    for side in only or list(SIDES.values()):
        messages = extract(side)
        catalog = load(side)
        added = 0
        for msgid, where in messages.items():
            message = catalog.get(msgid)
            if message is None:
                message = catalog.add(msgid, "", locations=_locations(where, side.location_limit))
                added += 1
            elif side.drop_vanished:  # the agent's entries always name every occurrence
                message.locations = _locations(where, side.location_limit)
            if side.brace_format and "{" in msgid:
                message.flags.add("python-brace-format")
        if side.drop_vanished:
            for message in list(catalog):
                if message.id and message.id not in messages:
                    del catalog[message.id]
        save(side, catalog)
        missing = sum(1 for m in catalog if m.id and not m.string)
        print(
            f"{side.po.relative_to(ROOT)}: {added} new, {len(catalog)} messages, "
            f"{missing} untranslated"
        )


def compile_all(only: list[Side] | None = None) -> None:
    for side in only or list(SIDES.values()):
        buf = io.BytesIO()
        write_mo(buf, load(side), use_fuzzy=False)
        side.mo.write_bytes(buf.getvalue())
        print(f"compiled {side.mo.relative_to(ROOT)}")


def _translations(catalog: Catalog) -> dict:
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}


def _duplicates(po: Path) -> list[str]:
    """msgids written twice in the file (a bad merge); the parser would silently keep one."""
    seen: dict[str, int] = {}
    text = po.read_text(encoding="utf-8") if po.exists() else ""
    for block in re.split(r"\n\s*\n", text):
        lines = [ln for ln in block.splitlines() if not ln.startswith("#")]
        head = re.match(r'msgid ("(?:[^"\\]|\\.)*"(?:\n"(?:[^"\\]|\\.)*")*)', "\n".join(lines))
        if head and head.group(1) != '""':
            seen[head.group(1)] = seen.get(head.group(1), 0) + 1
    return [m for m, n in seen.items() if n > 1]


def problems(only: list[Side] | None = None) -> list[str]:
    """Everything wrong with the catalogues, as readable lines."""
    out: list[str] = []
    for side in only or list(SIDES.values()):
        catalog = load(side)
        messages = extract(side)
        out += [f"{side.name}: duplicate msgid {m}" for m in _duplicates(side.po)]
        for msgid, where in sorted(messages.items()):
            message = catalog.get(msgid)
            if message is None:
                out.append(
                    f"{side.name}: not in the catalogue (run update): {msgid!r} ({where[0]})"
                )
            elif not message.string or message.fuzzy:
                out.append(f"{side.name}: no translation for {msgid!r} ({where[0]})")
            elif side.brace_format and placeholders(message.string) != placeholders(msgid):
                out.append(f"{side.name}: placeholders differ in {msgid!r}")
            elif not side.brace_format:  # %(name)s placeholders (Babel's checker)
                out += [f"{side.name}: {msgid!r}: {error}" for error in message.check(catalog)]
        # entries kept for other branches must be translated too
        out += [
            f"{side.name}: no translation for {m.id!r} (kept entry)"
            for m in catalog
            if m.id and m.id not in messages and (not m.string or m.fuzzy)
        ]
        if not side.mo.exists():
            out.append(f"{side.name}: {side.mo.relative_to(ROOT)} missing (run `make i18n`)")
        else:
            with side.mo.open("rb") as fh:
                compiled = _translations(read_mo(fh))
            if compiled != _translations(catalog):
                out.append(f"{side.name}: {side.mo.relative_to(ROOT)} is stale (run `make i18n`)")
    return out


def merge_files(ours: Path, theirs: Path) -> None:
    """git merge driver: union of both catalogues by msgid (a translated entry wins over an
    empty one), written to ``ours``. Works for either side's catalogue."""
    a, b = read_po(ours), read_po(theirs)
    for message in b:
        if not message.id:
            continue
        have = a.get(message.id)
        if have is None:
            a[message.id] = message
        elif not have.string and message.string:
            have.string = message.string
            have.flags = set(message.flags)
    buf = io.BytesIO()
    write_po(buf, a, width=0, sort_output=True)
    ours.write_bytes(buf.getvalue())


def dedupe(path: Path) -> None:
    """Repair a catalogue that holds a msgid twice (keeps one entry, the translated one)."""
    merge_files(path, path)


def _sides(names: list[str]) -> list[Side]:
    unknown = [n for n in names if n not in SIDES]
    if unknown:
        raise SystemExit(f"unknown side {unknown[0]!r} (agent or collector)")
    return [SIDES[n] for n in names] or list(SIDES.values())


def main(argv: list[str]) -> int:
    cmd = argv[1] if len(argv) > 1 else "check"
    if cmd == "merge":
        merge_files(Path(argv[2]), Path(argv[3]))
        return 0
    if cmd == "dedupe":
        dedupe(Path(argv[2]))
        return 0
    sides = _sides(argv[2:])
    if cmd == "update":
        update(sides)
    elif cmd == "compile":
        compile_all(sides)
    elif cmd == "check":
        found = problems(sides)
        for line in found:
            print(line)
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
