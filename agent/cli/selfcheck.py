"""The double-click self-check: what ``minecheck`` does when started with no arguments.

It explains what it is about to do, asks for administrator rights (Windows: relaunches
itself through the UAC prompt, agent.platform.windows.elevation; Linux: suggests ``sudo``),
runs a full scan with progress, saves the HTML report next to the executable (date and
hostname in its name), opens it in the browser, prints the verdict and waits for a key so
the window does not vanish.
Exit status as ``scan``: 0 clean, 1 findings, 2 error.

Environment switches (for tests and scripted use): ``MINECHECK_NO_BROWSER=1`` (do not open
the report), ``MINECHECK_NO_WAIT=1`` (do not wait for a key), ``MINECHECK_NO_ELEVATE=1``
(do not ask for administrator rights), ``MINECHECK_SELFCHECK_SECONDS`` (sampling window,
default 30).
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import sys
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TextIO

import agent.platform as plat
from agent import __version__
from agent.i18n import _, get_language

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
DEFAULT_SAMPLE_SECONDS = 30.0


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _sample_seconds() -> float:
    raw = os.environ.get("MINECHECK_SELFCHECK_SECONDS")
    if raw:
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if 0 <= value <= 3600:
            return value
        print(
            _("Ignoring MINECHECK_SELFCHECK_SECONDS={value}: not a number of seconds.").format(
                value=raw
            ),
            file=sys.stderr,
        )
    return DEFAULT_SAMPLE_SECONDS


def is_frozen() -> bool:
    """True when running from the one-file executable."""
    return bool(getattr(sys, "frozen", False))


# ---------------------------------------------------------------- where the report goes


def _safe_name_part(text: str) -> str:
    """A hostname made safe for a file name on Windows and Linux."""
    cleaned = re.sub(r'[<>:"/\\|?*\x00-\x1f\s]+', "_", text).strip("._")
    return cleaned[:60] or "PC"


def report_basename(hostname: str, when: datetime, lang: str) -> str:
    """``minecheck-报告-HOST-20261123-1830`` (zh) / ``minecheck-report-HOST-…`` (en)."""
    word = "报告" if lang == "zh" else "report"
    return f"minecheck-{word}-{_safe_name_part(hostname)}-{when:%Y%m%d-%H%M}"


def desktop_folder() -> Path:
    """The user's desktop where it exists, else the home folder."""
    home = plat.user_profile()
    for name in ("Desktop", "桌面"):
        if (home / name).is_dir():
            return home / name
    return home


def documents_folder() -> Path | None:
    """The user's Documents folder where it exists."""
    home = plat.user_profile()
    for name in ("Documents", "文档"):
        if (home / name).is_dir():
            return home / name
    return None


def reports_folder() -> Path:
    """The agent's own reports folder: ``reports`` in its home folder."""
    from agent.paths import home_dir

    return home_dir() / "reports"


def report_folders() -> list[Path]:
    """Where to try to save the report, in order.

    The double-click executable: the folder of the executable (a USB stick carried from PC
    to PC collects every report), then the desktop (else the home folder), Documents, the
    temporary folder. On Windows an executable started from inside the temporary folder (a
    program opened from a ZIP file's preview runs from %TEMP%) would leave its report where
    nobody finds it and Windows cleans up: then the desktop comes first.

    From source (``minecheck`` / ``python -m agent``): the agent's reports folder, then the
    desktop and the temporary folder, never the current folder (often a checkout).
    """
    temp = Path(tempfile.gettempdir()).resolve()
    if is_frozen():
        program = Path(sys.executable).resolve().parent
        candidates = [program, desktop_folder(), documents_folder(), temp]
        if plat.prefers_desktop(program, temp):
            candidates = [desktop_folder(), documents_folder(), program, temp]
    else:
        candidates = [reports_folder(), desktop_folder(), temp]
    out: list[Path] = []
    for c in candidates:
        if c is not None and c not in out:
            out.append(c)
    return out


def save_text(folders: Iterable[Path], basename: str, suffix: str, text: str) -> Path:
    """Write ``text`` as ``basename + suffix`` into the first folder that takes it (an
    existing file of that name is never overwritten). Raises OSError when none does."""
    last: OSError | None = None
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            last = exc
            continue
        for n in range(1, 100):
            name = f"{basename}{suffix}" if n == 1 else f"{basename}-{n}{suffix}"
            path = folder / name
            try:
                with open(path, "x", encoding="utf-8", newline="\n") as fh:
                    fh.write(text)
            except FileExistsError:
                continue
            except OSError as exc:
                last = exc
                break
            return path
    raise last or OSError("no folder to write the report to")


def _give_to_invoking_user(paths: Iterable[Path]) -> None:
    """Under ``sudo``, hand the report files to the user who ran sudo (not root)."""
    uid, gid = os.environ.get("SUDO_UID"), os.environ.get("SUDO_GID")
    if not (hasattr(os, "chown") and os.geteuid() == 0 and uid and gid):
        return
    for p in paths:
        with contextlib.suppress(OSError, ValueError):
            os.chown(p, int(uid), int(gid))


# ---------------------------------------------------------------- administrator rights


def _relaunch_elevated(out: TextIO) -> int | None:
    """Start this program again with administrator rights (Windows: the UAC prompt) and
    wait for it: its exit status, or None when declined (this window then carries on)."""
    program, params = sys.executable, "" if is_frozen() else "-m agent"
    # Keep the language the user sees (the elevated process gets a fresh environment).
    params = f"{params} --lang {get_language()}".strip()

    def failed(code: int) -> None:
        print(
            _("Could not ask for administrator rights (Windows error {code}).").format(code=code),
            file=out,
        )

    return plat.relaunch_elevated(program, params, failed)


def _print_limits(out: TextIO, limits: tuple[str, ...]) -> None:
    print(_("Without them this check cannot look at:"), file=out)
    for item in limits:
        print(f"  - {_(item)}", file=out)
    print(_("So the result may be incomplete; the report lists what was skipped."), file=out)


def ensure_rights(out: TextIO) -> int | None:
    """Ask for administrator rights where missing. Returns an exit status when an elevated
    copy did the check instead (this process should then end), else None to continue."""
    if plat.is_privileged():
        print(_("Running with administrator rights: everything can be checked."), file=out)
        return None
    if plat.elevation_prompt():
        if not _flag("MINECHECK_NO_ELEVATE"):
            print(
                _(
                    "Windows will now ask whether minecheck may make changes: please answer "
                    '"Yes". It only reads; it changes and deletes nothing.'
                ),
                file=out,
            )
            out.flush()
            code = _relaunch_elevated(out)
            if code is not None:
                print(
                    _("The check ran in the administrator window (exit status {code}).").format(
                        code=code
                    ),
                    file=out,
                )
                return code
        print(_("Continuing WITHOUT administrator rights."), file=out)
        _print_limits(out, plat.unprivileged_limits())
    else:
        print(
            _(
                "Not running as root. For a complete check close this and start it again "
                "with: sudo {program}"
            ).format(program=_program_for_display()),
            file=out,
        )
        _print_limits(out, plat.unprivileged_limits())
    return None


def _program_for_display() -> str:
    if is_frozen():
        return str(Path(sys.executable).resolve())
    return f"{sys.executable} -m agent"


# ---------------------------------------------------------------- the check itself


def _intro(out: TextIO, seconds: float) -> None:
    rule = "=" * 60
    print(rule, file=out)
    print(
        _("minecheck {version}: cryptocurrency mining self-check").format(version=__version__),
        file=out,
    )
    print(rule, file=out)
    print(
        _("This program checks whether this computer is being used to mine cryptocurrency:"),
        file=out,
    )
    steps = (
        _("read the hardware (processor, graphics cards, memory, disks, network)"),
        _("measure processor and graphics card use for {seconds:.0f} seconds").format(
            seconds=seconds
        ),
        _(
            "check running programs, network connections and autostart entries against the "
            "signature list"
        ),
        _("save a report and open it in the web browser"),
    )
    for i, step in enumerate(steps, 1):
        print(f"  {i}. {step}", file=out)
    print(
        _(
            "It only reads: it changes and deletes nothing and sends nothing over the "
            "network. Please keep this window open until it has finished."
        ),
        file=out,
    )
    print("", file=out)


def _can_open_browser() -> bool:
    if _flag("MINECHECK_NO_BROWSER"):
        return False
    return plat.can_open_browser()


def open_in_browser(path: Path) -> bool:
    """Open the report in the default browser; False when not possible here."""
    if not _can_open_browser():
        return False
    try:
        return plat.open_file(path)
    except Exception:  # noqa: BLE001 - not opening the browser must never fail the check
        return False


def wait_for_key(out: TextIO, stdin: TextIO | None = None) -> None:
    """Keep the window open until a key (Enter) is pressed; only on an interactive console."""
    stdin = stdin if stdin is not None else sys.stdin
    if _flag("MINECHECK_NO_WAIT") or stdin is None or not stdin.isatty():
        return
    print("", file=out)
    print(_(plat.key_prompt()), file=out, end="", flush=True)
    with contextlib.suppress(OSError, KeyboardInterrupt):
        plat.read_key(stdin)


def write_handcarry(report_json: bytes, html_path: Path, out: TextIO) -> Path | None:
    """Write the tamper-evident hand-carry file (``.mcr``, signed; see
    agent.transport.handcarry) beside the HTML report, for the supervising office to import.
    A failure is reported and the check goes on (the HTML report is already saved)."""
    from agent import paths
    from agent.transport import handcarry

    path = html_path.with_suffix(".mcr")
    try:
        token = None
        try:
            from agent.config import load_config

            token = load_config().server.enrollment_token
        except Exception:  # noqa: BLE001 - a broken config must not cost the hand-carry file
            token = None
        home = paths.ensure_dir(paths.home_dir())
        handcarry.write(path, report_json, home, token)
    except (OSError, handcarry.HandcarryError) as exc:
        print(
            _("Could not write the file for the supervising office ({error}).").format(error=exc),
            file=out,
        )
        return None
    return path


def _run_check(out: TextIO, seconds: float) -> int:
    from agent.collectors.base import ScanOptions
    from agent.report.html import render_html
    from agent.report.terminal import ProgressDisplay, summary_text
    from agent.scan import build_report
    from agent.wire.report import VerdictStatus

    lang = get_language()
    display = ProgressDisplay(out)
    try:
        report = build_report(
            ScanOptions(sample_seconds=seconds, lang=lang), progress=display, command="selfcheck"
        )
    finally:
        display.finish()

    base = report_basename(report.device.hostname or socket.gethostname(), datetime.now(), lang)
    folders = report_folders()
    files: list[tuple[str, str]] = []
    html_path: Path | None = None
    status = EXIT_CLEAN if report.verdict.status == VerdictStatus.clean else EXIT_FINDINGS
    if report.verdict.status == VerdictStatus.incomplete:
        status = EXIT_ERROR  # not checked: never "nothing found"
    try:
        from agent.paths import home_dir
        from agent.runner.loop import pushed_tipoff

        html = render_html(report, lang, tipoff=pushed_tipoff(home_dir()))
        html_path = save_text(folders, base, ".html", html)
        files.append(("HTML", str(html_path)))
    except OSError as exc:
        print(
            _("Could not save the report in any of these folders: {folders} ({error})").format(
                folders=", ".join(str(f) for f in folders), error=exc.strerror or exc
            ),
            file=out,
        )
        status = EXIT_ERROR
    if html_path is not None:
        mcr = write_handcarry(report.model_dump_json().encode("utf-8"), html_path, out)
        if mcr is not None:
            files.append((_("For the supervising office"), str(mcr)))
    _give_to_invoking_user(Path(p) for _label, p in files)

    out.write(summary_text(report, lang, files))
    if html_path is not None:
        if open_in_browser(html_path):
            print(_("The report has been opened in your web browser."), file=out)
        else:
            print(
                _("Open the report file in a web browser: {path}").format(path=html_path), file=out
            )
        print(
            _(
                "Keep the report. If your supervising office asks for it, hand in the .mcr "
                "file: it shows whether anything was changed after the check."
            ),
            file=out,
        )
    out.flush()
    return status


def run_selfcheck(out: TextIO | None = None, stdin: TextIO | None = None) -> int:
    """The whole double-click experience; returns the exit status (as ``scan``)."""
    out = out if out is not None else sys.stdout
    seconds = _sample_seconds()
    _intro(out, seconds)
    try:
        elevated = ensure_rights(out)
        if elevated is not None:
            return elevated  # the administrator window showed everything and waited
        print("", file=out)
        status = _run_check(out, seconds)
    except KeyboardInterrupt:
        print("", file=out)
        print(_("Interrupted."), file=out)
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - a double-clicked window must explain, not vanish
        print("", file=out)
        print(
            _("The check failed: {error}. Please send this message to your IT contact.").format(
                error=f"{type(exc).__name__}: {exc}"
            ),
            file=out,
        )
        status = EXIT_ERROR
    wait_for_key(out, stdin)
    return status
