"""Every user-facing message has a Chinese translation and the compiled catalogue is current."""

from __future__ import annotations

import importlib.util

from agent.i18n import gettext_in, localized, normalize_language


def _i18n_tool(repo_root):
    spec = importlib.util.spec_from_file_location("i18n_tool", repo_root / "build" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_catalogue_has_no_problems(repo_root):
    assert _i18n_tool(repo_root).problems() == []


def test_extraction_finds_marked_messages(repo_root):
    found = _i18n_tool(repo_root).extract()
    assert "Interrupted." in found


def test_chinese_is_served_from_the_compiled_catalogue():
    assert gettext_in("zh", "Interrupted.") == "已中断。"
    assert gettext_in("en", "Interrupted.") == "Interrupted."


def test_localized_formats_both_languages():
    text = localized("{collector}: failed ({error}).", collector="cpu", error="OSError")
    assert text.en == "cpu: failed (OSError)."
    assert text.zh.startswith("cpu：") and "OSError" in text.zh


def test_language_normalization():
    assert normalize_language("en_US.UTF-8") == "en"
    assert normalize_language("zh_CN.UTF-8") == "zh"
    assert normalize_language("fr_FR") == "zh"
    assert normalize_language(None) == "zh"


def test_c_locale_falls_back_to_chinese(monkeypatch):
    from agent.i18n import system_language

    for var in ("MINECHECK_LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert system_language() == "zh"
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert system_language() == "en"
