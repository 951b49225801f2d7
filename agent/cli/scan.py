"""`minecheck scan`: check this computer, print a plain summary, write JSON/HTML reports.

Exit status: 0 clean, 1 findings (suspicious or mining), 2 error or incomplete (a check the
verdict depends on did not run).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from agent.i18n import N_, _, get_language

DEFAULT_SAMPLE_SECONDS = 30.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sample-seconds",
        type=_non_negative_seconds,
        default=DEFAULT_SAMPLE_SECONDS,
        metavar="N",
        help=_("Seconds to measure CPU and GPU use (default 30; 0 skips the measurement)"),
    )
    parser.add_argument(
        "--json",
        metavar="PATH",
        help=_("Write the report as JSON to PATH ('-' writes only the JSON to standard output)"),
    )
    parser.add_argument("--html", metavar="PATH", help=_("Write the HTML report to PATH"))
    parser.add_argument(
        "--quiet", "-q", action="store_true", help=_("Show no progress and no summary")
    )
    parser.add_argument(
        "--deep", action="store_true", help=_("Also run the slower checks (more files, memory)")
    )
    parser.add_argument(
        "--upload",
        action="store_true",
        help=_("Put the report in the spool and send it to the collector (when enrolled)"),
    )
    parser.add_argument("--config", type=Path, help=_("Configuration file (minecheck.toml)"))
    # Set by `minecheck run` for its worker: the report then includes the background sampling.
    parser.add_argument("--scheduled", action="store_true", help=argparse.SUPPRESS)
    # --- hand-carry export (agent/transport/scan_output.py, helper "handover") ---
    from agent.transport import scan_output

    scan_output.add_arguments(parser)


def _non_negative_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a number: {value}").format(value=value)) from None
    if seconds < 0 or seconds != seconds or seconds > 86400:
        raise argparse.ArgumentTypeError(
            _("must be between 0 and 86400 seconds: {value}").format(value=value)
        )
    return seconds


def default_report_dir() -> Path:
    from agent.paths import home_dir

    return home_dir() / "reports"


def run(args: argparse.Namespace) -> int:
    from agent.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS
    from agent.collectors.base import ScanOptions
    from agent.report.terminal import ProgressDisplay, summary_text
    from agent.scan import build_report
    from agent.wire.report import VerdictStatus

    lang = get_language()
    json_to_stdout = args.json == "-"
    json_path = None if args.json in (None, "-") else Path(args.json)
    html_path = Path(args.html) if args.html else None
    if args.json is None and html_path is None and not args.upload:
        # Nothing asked for: keep both reports in the agent's report folder.
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        folder = default_report_dir()
        json_path = folder / f"minecheck-{stamp}.json"
        html_path = folder / f"minecheck-{stamp}.html"

    display = ProgressDisplay(sys.stderr, quiet=args.quiet)
    options = ScanOptions(sample_seconds=args.sample_seconds, deep=args.deep, lang=lang)
    try:
        report = build_report(
            options, progress=display, command="run" if args.scheduled else "scan"
        )
    finally:
        display.finish()

    files: list[tuple[str, str]] = []
    failed = False
    if json_to_stdout:
        # UTF-8 bytes whatever the console code page (cp1252/cp936 pipes on Windows).
        data = (report.model_dump_json(indent=2) + "\n").encode("utf-8")
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is not None:
            sys.stdout.flush()
            buffer.write(data)
            buffer.flush()
        else:
            sys.stdout.write(data.decode("utf-8"))
            sys.stdout.flush()
    if json_path is not None:
        failed |= not _write(json_path, report.model_dump_json(indent=2) + "\n", files, "JSON")
    if html_path is not None:
        from agent.paths import home_dir
        from agent.report.html import render_html
        from agent.runner.loop import pushed_tipoff

        html = render_html(report, lang, tipoff=pushed_tipoff(home_dir()))
        failed |= not _write(html_path, html, files, "HTML")

    if not args.quiet:
        out = sys.stderr if json_to_stdout else sys.stdout
        out.write(summary_text(report, lang, files))
        out.flush()
    if args.upload:
        failed |= not _spool_and_upload(report, args)
    # --- hand-carry export (helper "handover"): a failed export is an error like a file ---
    from agent.transport import scan_output

    failed |= not scan_output.handle_export(args, report)
    if failed or report.verdict.status == VerdictStatus.incomplete:
        return EXIT_ERROR
    return EXIT_CLEAN if report.verdict.status == VerdictStatus.clean else EXIT_FINDINGS


def _write(path: Path, text: str, files: list[tuple[str, str]], label: str) -> bool:
    """Write one report file; on failure say so on stderr (the other outputs still happen)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        print(
            _(N_("Could not write the report file {path}: {error}")).format(
                path=path, error=exc.strerror or exc
            ),
            file=sys.stderr,
        )
        return False
    files.append((label, str(path.resolve())))
    return True


def _spool_and_upload(report, args: argparse.Namespace) -> bool:
    """Spool the report (it stays there until the collector acknowledges it), then flush."""
    from agent.cli import load_agent_state
    from agent.transport.uploader import flush

    out = sys.stderr if args.json == "-" else sys.stdout
    state = load_agent_state(args.config)
    if state is None:
        return False
    spool = state.spool()
    try:
        spool.put(str(report.report_id), report.model_dump_json().encode("utf-8"))
    except OSError as exc:
        print(
            _(N_("Could not write the report file {path}: {error}")).format(
                path=state.home / "spool", error=exc.strerror or exc
            ),
            file=sys.stderr,
        )
        return False
    if not state.creds:
        if not args.quiet:
            print(
                _("Not enrolled yet ({count} report(s) waiting): run `minecheck enroll`.").format(
                    count=len(spool.items())
                ),
                file=out,
            )
        return True  # kept in the spool: nothing is lost
    from agent.transport.scan_output import scan_upload_policy  # helper "handover"

    result = flush(spool, state.client(), scan_upload_policy())
    if not args.quiet:
        from agent.cli.upload import report_flush

        stdout = sys.stdout
        sys.stdout = out
        try:
            report_flush(result, state)
        finally:
            sys.stdout = stdout
    return True
