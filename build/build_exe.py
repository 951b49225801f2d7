"""Build the one-file executable: ``python build/build_exe.py`` (what ``make exe`` runs).

Output: ``dist/minecheck`` (``dist\\minecheck.exe`` on Windows); PyInstaller's work files go to
``build/work``. With ``PYINSTALLER_COMPILE_BOOTLOADER=1`` PyInstaller is first reinstalled
from its source distribution so that its bootloader is compiled here instead of using the
prebuilt one shipped in the wheel (antivirus products recognise the stock bootloader).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "build" / "minecheck.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "work"


def executable_path(dist: Path = DIST) -> Path:
    return dist / ("minecheck.exe" if sys.platform == "win32" else "minecheck")


def compile_bootloader() -> None:
    """Reinstall the installed PyInstaller version from source, compiling its bootloader."""
    from importlib.metadata import version

    wanted = version("pyinstaller")
    print(f"building the PyInstaller {wanted} bootloader from source (needs a C compiler)")
    env = dict(os.environ, PYINSTALLER_COMPILE_BOOTLOADER="1")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--force-reinstall",
            "--no-deps",
            "--no-binary",
            "pyinstaller",
            f"pyinstaller=={wanted}",
        ],
        check=True,
        env=env,
    )


def build(clean: bool = False) -> Path:
    args = [
        sys.executable,
        "-m",
        "PyInstaller",
        str(SPEC),
        "--noconfirm",
        "--distpath",
        str(DIST),
        "--workpath",
        str(WORK),
        "--log-level",
        "WARN",
    ]
    if clean:
        args.append("--clean")
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    subprocess.run(args, check=True, cwd=ROOT, env=env)
    return executable_path()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", action="store_true", help="ignore PyInstaller's cache")
    args = parser.parse_args(argv)
    if os.environ.get("PYINSTALLER_COMPILE_BOOTLOADER") == "1":
        compile_bootloader()
    started = time.perf_counter()
    exe = build(clean=args.clean)
    size = exe.stat().st_size / 2**20
    print(f"built {exe.relative_to(ROOT)}: {size:.1f} MiB in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
