"""What goes into the one-file executable: data files, hidden imports, excluded modules,
and the Windows version resource. Used by ``build/minecheck.spec`` and by the tests.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Modules the agent never needs in the executable. The collector (Django and friends) is a
# server program; the rest are standard-library or third-party packages PyInstaller would
# otherwise drag in through optional imports and that only make the file bigger and slower.
EXCLUDES: tuple[str, ...] = (
    "collector_server",
    "django",
    "waitress",
    "whitenoise",
    "openpyxl",
    "dj_database_url",
    "psycopg",
    "psycopg_binary",
    "tkinter",
    "_tkinter",
    "turtle",
    "turtledemo",
    "idlelib",
    "pydoc",
    "pydoc_data",
    "doctest",
    "unittest",
    "lib2to3",
    "ensurepip",
    "venv",
    "distutils",
    "setuptools",
    "pkg_resources",
    "pip",
    "numpy",
    "pytest",
    "_pytest",
    "hypothesis",
    "IPython",
    "playwright",
    "jsonschema",
    "polib",
    "babel",
    "sqlite3",
    "xmlrpc",
    "curses",
    "test",
)

# Binary name patterns left out after analysis (pulled in only by the excluded modules).
EXCLUDED_BINARY_PATTERNS: tuple[str, ...] = (r"libtk", r"libtcl", r"_tkinter", r"libsqlite")


def hidden_imports() -> list[str]:
    """Modules imported by name at run time (``importlib.import_module``), so the analysis
    cannot see them: every ``agent`` submodule, plus the native ``yara`` extension."""
    found = []
    for path in sorted((ROOT / "agent").rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if "__pycache__" in parts:
            continue
        if "windows" in parts and not _building_for_windows():
            continue
        found.append(".".join(parts))
    return [*found, "yara", "pynvml", "cpuinfo", "psutil", "jinja2", "markupsafe"]


def _building_for_windows() -> bool:
    return sys.platform == "win32"


def packed_signatures(root: Path, out_dir: Path) -> Path | None:
    """Pack ``signatures/`` into ``out_dir/packed.bin`` with ``build/pack_signatures.py``
    (which refuses a bundle whose manifest is stale). None when that script is absent."""
    script = root / "build" / "pack_signatures.py"
    if not script.is_file():
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / "packed.bin"
    subprocess.run(
        [sys.executable, str(script), "--out", str(out), str(root / "signatures")],
        check=True,
        cwd=root,
    )
    return out


def signature_files(root: Path = ROOT, work: Path | None = None) -> list[tuple[str, str]]:
    """The shipped signature bundle as (source, folder-in-bundle) pairs.

    Preferably only ``packed.bin``: the whole bundle in the packed form other scanners do not
    flag (packed afresh into ``work`` when given, else a committed ``signatures/packed.bin``).
    A one-file executable unpacks its data files into a temporary folder at every start, so
    plain ``.yar`` files full of miner strings would lie there in clear text. Without a packed
    form the plain files are shipped.
    """
    base = root / "signatures"
    packed = packed_signatures(root, work) if work is not None else None
    if packed is None and (base / "packed.bin").is_file():
        packed = base / "packed.bin"
    if packed is not None:
        return [(str(packed), "signatures")]
    out = []
    for path in sorted(base.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix in (".py", ".pyc"):
            continue
        dest = path.parent.relative_to(root).as_posix()
        out.append((str(path), dest))
    return out


def catalogue_files(root: Path = ROOT) -> list[tuple[str, str]]:
    """Compiled translation catalogues (``agent/locale/*/LC_MESSAGES/*.mo``), where
    ``agent.i18n.locale_dir()`` looks for them inside the bundle."""
    out = []
    for path in sorted((root / "agent" / "locale").rglob("*.mo")):
        out.append((str(path), path.parent.relative_to(root).as_posix()))
    return out


def template_files(root: Path = ROOT) -> list[tuple[str, str]]:
    """Report templates (``agent/report/templates``), read at run time by the HTML renderer."""
    folder = root / "agent" / "report" / "templates"
    if not folder.is_dir():
        return []
    return [
        (str(p), p.parent.relative_to(root).as_posix())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    ]


def data_files(root: Path = ROOT, work: Path | None = None) -> list[tuple[str, str]]:
    """Every data file of the executable; ``work`` is where the packed rules are written."""
    return signature_files(root, work) + catalogue_files(root) + template_files(root)


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """'0.1.0' -> (0, 1, 0, 0); pre-release suffixes are dropped ('1.2.0rc1' -> 1,2,0,0)."""
    release = re.match(r"\d+(?:\.\d+)*", version.strip())
    numbers = [int(n) for n in release.group(0).split(".")[:4]] if release else []
    numbers += [0] * (4 - len(numbers))
    return tuple(numbers)  # type: ignore[return-value]


VERSION_INFO_TEMPLATE = """\
# UTF-8
# Windows version resource of minecheck.exe, generated by build/exe_contents.py from
# agent.__version__ ({version}). Do not edit by hand.
VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={numbers},
    prodvers={numbers},
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo([
      StringTable('080404b0', [
        StringStruct('CompanyName', 'minecheck developers'),
        StringStruct('FileDescription', 'minecheck 挖矿自查工具 (mining self-check)'),
        StringStruct('FileVersion', '{version}'),
        StringStruct('InternalName', 'minecheck'),
        StringStruct('LegalCopyright', 'Apache-2.0'),
        StringStruct('OriginalFilename', 'minecheck.exe'),
        StringStruct('ProductName', 'minecheck'),
        StringStruct('ProductVersion', '{version}')
      ])
    ]),
    VarFileInfo([VarStruct('Translation', [0x0804, 1200])])
  ]
)
"""


def version_info_text(version: str) -> str:
    """The PyInstaller version-resource file for ``version`` (zh-CN string table)."""
    return VERSION_INFO_TEMPLATE.format(version=version, numbers=version_tuple(version))


def write_version_info(version: str, path: Path) -> Path:
    path.write_text(version_info_text(version), encoding="utf-8")
    return path
