"""The executable's build inputs: what goes in, the Windows version resource, manifest and
icon. These run without building (the build itself is tested in test_frozen_exe.py)."""

from __future__ import annotations

import importlib.util
import struct
import sys
from pathlib import Path

import pytest

from agent import __version__

ROOT = Path(__file__).resolve().parents[2]


def _load_build_module(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "build" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def contents():
    return _load_build_module("exe_contents")


def test_catalogues_go_where_i18n_looks_for_them(contents):
    pairs = contents.catalogue_files(ROOT)
    assert pairs, "no compiled .mo catalogue found"
    for src, dest in pairs:
        assert src.endswith(".mo")
        # agent.i18n.locale_dir() looks under sys._MEIPASS/agent/locale/<lang>/LC_MESSAGES.
        assert dest.startswith("agent/locale/") and dest.endswith("/LC_MESSAGES")


def test_without_a_packer_the_plain_bundle_or_a_committed_packed_file_is_shipped(
    contents, tmp_path
):
    sig = tmp_path / "signatures"
    (sig / "yara").mkdir(parents=True)
    (sig / "manifest.json").write_text("{}")
    (sig / "yara" / "miners.yar").write_text("rule x { condition: true }")
    (sig / "pools.txt").write_text("pool.example\n")
    (sig / "__init__.py").write_text("")
    plain = {Path(s).name: d for s, d in contents.signature_files(tmp_path, tmp_path / "w")}
    assert plain == {
        "manifest.json": "signatures",
        "miners.yar": "signatures/yara",
        "pools.txt": "signatures",
    }
    (sig / "packed.bin").write_bytes(b"packed")
    assert contents.signature_files(tmp_path) == [(str(sig / "packed.bin"), "signatures")]


def test_the_executable_ships_only_the_packed_bundle_and_it_holds_every_file(contents, tmp_path):
    from agent.bundle import files

    shipped = contents.signature_files(ROOT, tmp_path)
    assert shipped == [(str(tmp_path / "packed.bin"), "signatures")]
    blob = (tmp_path / "packed.bin").read_bytes()
    assert files.unpack(blob).files == files.read_folder(ROOT / "signatures").files
    # No rule text in clear: the name of the best-known miner is not readable in the file.
    assert b"xmrig" not in blob.lower() and b"stratum" not in blob.lower()


def test_hidden_imports_cover_lazily_imported_subcommands(contents):
    from agent.cli import SUBCOMMANDS

    hidden = set(contents.hidden_imports())
    for module, _help in SUBCOMMANDS.values():
        assert f"agent.cli.{module}" in hidden
    assert {"agent.cli.selfcheck", "yara", "pynvml", "cpuinfo", "psutil"} <= hidden


def test_report_templates_go_where_the_html_renderer_looks_for_them(contents, tmp_path):
    from agent.report import html

    pairs = contents.template_files(ROOT)
    assert (
        str(ROOT / "agent" / "report" / "templates" / "report.html"),
        "agent/report/templates",
    ) in pairs
    # Inside the executable: sys._MEIPASS/<dest>/report.html, where templates_dir() looks.
    frozen = tmp_path / "agent" / "report" / "templates"
    frozen.mkdir(parents=True)
    sys._MEIPASS = str(tmp_path)  # type: ignore[attr-defined]
    try:
        assert html.templates_dir() == frozen
    finally:
        del sys._MEIPASS  # type: ignore[attr-defined]
    assert {"jinja2", "markupsafe"} <= set(contents.hidden_imports())
    assert not {"jinja2", "markupsafe"} & set(contents.EXCLUDES)


def test_server_side_and_heavy_modules_are_excluded(contents):
    assert {"collector_server", "django", "tkinter", "numpy", "pytest"} <= set(contents.EXCLUDES)
    # requests needs the email package and http.client: they must stay in.
    assert "email" not in contents.EXCLUDES and "http" not in contents.EXCLUDES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.1.0", (0, 1, 0, 0)),
        ("1.2.3.4", (1, 2, 3, 4)),
        ("2.0rc1", (2, 0, 0, 0)),
        ("3", (3, 0, 0, 0)),
        ("1.2.0+local.5", (1, 2, 0, 0)),
    ],
)
def test_version_tuple(contents, text, expected):
    assert contents.version_tuple(text) == expected


def _eval_version_info(text: str) -> dict:
    """Evaluate the version file with recording stand-ins for PyInstaller's classes (their
    real ones need the Windows API) and return what it declared."""
    seen: dict = {"strings": {}}

    def record(name):
        def make(*args, **kwargs):
            if name == "FixedFileInfo":
                seen["fixed"] = kwargs
            if name == "StringStruct":
                seen["strings"][args[0]] = args[1]
            if name == "StringTable":
                seen["lang"] = args[0]
            return (name, args, kwargs)

        return make

    names = [
        "VSVersionInfo",
        "FixedFileInfo",
        "StringFileInfo",
        "StringTable",
        "StringStruct",
        "VarFileInfo",
        "VarStruct",
    ]
    eval(compile(text, "version_info.txt", "eval"), {n: record(n) for n in names})
    return seen


def test_committed_version_info_matches_the_package_version(contents):
    committed = (ROOT / "build" / "version_info.txt").read_text(encoding="utf-8")
    assert committed == contents.version_info_text(__version__), (
        "build/version_info.txt is stale: the spec regenerates it on a Windows build; run "
        'python -c \'import sys; sys.path[:0]=["build"]; import exe_contents, agent, pathlib; '
        "exe_contents.write_version_info(agent.__version__, "
        'pathlib.Path("build/version_info.txt"))\''
    )
    declared = _eval_version_info(committed)
    numbers = contents.version_tuple(__version__)
    assert declared["fixed"]["filevers"] == numbers == declared["fixed"]["prodvers"]
    assert declared["strings"]["FileVersion"] == __version__
    assert declared["strings"]["OriginalFilename"] == "minecheck.exe"
    assert declared["lang"] == "080404b0"  # zh-CN, Unicode


def test_manifest_runs_as_invoker():
    from PyInstaller.utils.win32 import winmanifest

    raw = (ROOT / "build" / "minecheck.exe.manifest").read_bytes()
    # What PyInstaller embeds: our manifest with uac_admin=False (as in build/minecheck.spec).
    embedded = winmanifest.create_application_manifest(raw, False, False).decode()
    assert 'level="asInvoker"' in embedded and "requireAdministrator" not in embedded
    assert "longPathAware" in embedded
    spec = (ROOT / "build" / "minecheck.spec").read_text(encoding="utf-8")
    assert '"uac_admin": False' in spec and "upx=False" in spec


def test_icon_is_a_valid_ico_with_the_usual_sizes():
    data = (ROOT / "build" / "minecheck.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1) and count >= 4
    sizes = set()
    for i in range(count):
        w, h, _c, _r, _planes, bpp, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * i
        )
        assert offset + length <= len(data) and bpp == 32
        sizes.add(w or 256)
        assert h == w
    assert {16, 32, 48, 256} <= sizes
    assert len(data) < 64 * 1024


def test_icon_script_reproduces_the_committed_icon():
    make_icon = _load_build_module("make_icon")
    assert make_icon.ico_bytes() == (ROOT / "build" / "minecheck.ico").read_bytes()
