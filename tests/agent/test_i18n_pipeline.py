"""The translation pipeline (build/i18n.py, Babel) on a small source tree of each kind: it
extracts Python, Jinja2 and Django template messages, and `check` fails on an untranslated
msgid, a placeholder mismatch and a stale .mo; the merge driver keeps both sides' entries."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def _tool():
    spec = importlib.util.spec_from_file_location("i18n_pipeline", ROOT / "build" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _translate(po: Path, translations: dict[str, str]) -> None:
    text = po.read_text(encoding="utf-8")
    for msgid, msgstr in translations.items():
        head = f'msgid "{msgid}"\nmsgstr ""'
        assert head in text, msgid
        text = text.replace(head, f'msgid "{msgid}"\nmsgstr "{msgstr}"')
    po.write_text(text, encoding="utf-8")


def _side(tool, base, tmp_path: Path, source_files: dict[str, str]):
    source = tmp_path / "src"
    for rel, text in source_files.items():
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        (source / rel).write_text(text, encoding="utf-8")
    tool.ROOT = tmp_path  # locations are relative to it
    po = source / "locale" / base.locale / "LC_MESSAGES" / "test.po"
    return dataclasses.replace(base, source=source, po=po)


def test_agent_side_extracts_checks_and_compiles(tmp_path):
    tool = _tool()
    side = _side(
        tool,
        tool.AGENT,
        tmp_path,
        {
            "cli.py": 'from agent.i18n import _, N_\nprint(_("Hello {name}"), N_("Bye"))\n',
            "report/templates/page.html": '<p>{{ _("In the template") }}</p>\n',
        },
    )
    assert set(tool.extract(side)) == {"Hello {name}", "Bye", "In the template"}
    tool.update([side])
    assert sorted(tool.problems([side])) == sorted(
        [
            "agent: no translation for 'Bye' (src/cli.py:2)",
            "agent: no translation for 'Hello {name}' (src/cli.py:2)",
            "agent: no translation for 'In the template' (src/report/templates/page.html:1)",
            f"agent: {side.mo.relative_to(tmp_path)} missing (run `make i18n`)",
        ]
    )
    _translate(side.po, {"Hello {name}": "你好 {nom}", "Bye": "再见", "In the template": "模板"})
    tool.compile_all([side])
    assert tool.problems([side]) == ["agent: placeholders differ in 'Hello {name}'"]
    side.po.write_text(side.po.read_text("utf-8").replace("{nom}", "{name}"), "utf-8")
    assert tool.problems([side]) == [
        f"agent: {side.mo.relative_to(tmp_path)} is stale (run `make i18n`)"
    ]
    tool.compile_all([side])
    assert tool.problems([side]) == []
    # a vanished message leaves the agent's catalogue
    (side.source / "cli.py").write_text('from agent.i18n import _\nprint(_("Bye"))\n', "utf-8")
    tool.update([side])
    with side.po.open("rb") as fh:
        assert {m.id for m in read_po(fh) if m.id} == {"Bye", "In the template"}


def test_collector_side_reads_django_templates_and_keeps_entries(tmp_path):
    tool = _tool()
    side = _side(
        tool,
        tool.COLLECTOR,
        tmp_path,
        {
            "views.py": 'from django.utils.translation import gettext as _\n_("Saved.")\n',
            "app/templates/app/page.html": (
                '{% load i18n %}<h1>{% translate "Devices" %}</h1>\n'
                "{% blocktranslate %}{{ count }} devices{% endblocktranslate %}\n"
            ),
            "app/migrations/0001_initial.py": '_("not a message")\n',
        },
    )
    assert set(tool.extract(side)) == {"Saved.", "Devices", "%(count)s devices"}
    tool.update([side])
    _translate(
        side.po, {"Saved.": "已保存。", "Devices": "设备", "%(count)s devices": "%(cnt)s 台设备"}
    )
    tool.compile_all([side])
    found = tool.problems([side])
    assert len(found) == 1 and "%(count)s devices" in found[0]
    side.po.write_text(side.po.read_text("utf-8").replace("%(cnt)s", "%(count)s"), "utf-8")
    tool.compile_all([side])
    assert tool.problems([side]) == []
    (side.source / "views.py").write_text("", "utf-8")  # kept: another branch may use it
    tool.update([side])
    with side.po.open("rb") as fh:
        assert "Saved." in {m.id for m in read_po(fh)}


def test_merge_driver_keeps_both_sides(tmp_path):
    tool = _tool()
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    ours, theirs = tmp_path / "ours.po", tmp_path / "theirs.po"
    ours.write_text(header + 'msgid "A"\nmsgstr "甲"\n\nmsgid "B"\nmsgstr ""\n', "utf-8")
    theirs.write_text(header + 'msgid "B"\nmsgstr "乙"\n\nmsgid "C"\nmsgstr "丙"\n', "utf-8")
    assert tool.main(["i18n.py", "merge", str(ours), str(theirs)]) == 0
    with ours.open("rb") as fh:
        merged = {m.id: m.string for m in read_po(fh) if m.id}
    assert merged == {"A": "甲", "B": "乙", "C": "丙"}


def test_dedupe_keeps_the_translated_duplicate(tmp_path):
    tool = _tool()
    po = tmp_path / "dup.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "A"\nmsgstr ""\n\nmsgid "A"\nmsgstr "甲"\n',
        "utf-8",
    )
    assert tool._duplicates(po) == ['"A"']
    assert tool.main(["i18n.py", "dedupe", str(po)]) == 0
    assert tool._duplicates(po) == []
    with po.open("rb") as fh:
        assert {m.id: m.string for m in read_po(fh) if m.id} == {"A": "甲"}
