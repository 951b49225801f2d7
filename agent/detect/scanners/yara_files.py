"""YARA file rules over the program file (and script) of every running process."""

from __future__ import annotations

import os
import time

from agent.detect import scan_processes
from agent.detect.findings import make_finding
from agent.detect.procs import hash_exe
from agent.detect.scan_files import scan_file
from agent.detect.scanners.base import Scanner, ScanRun
from agent.detect.scanners.yara_matches import grouped, rules_id
from agent.i18n import N_
from agent.wire.report import Finding


def run(run: ScanRun) -> list[Finding]:
    bundle, own_paths = run.bundle, run.own_paths
    rules = bundle.file_rules
    key = rules_id(bundle)
    out: list[Finding] = []
    done: dict[str, dict | None] = {}
    for p in run.procs:
        if time.monotonic() > run.deadline:
            break
        paths = [p.exe] if p.exe else []
        script = scan_processes.script_path(p)
        if script:
            paths.append(
                script if os.path.isabs(script) or not p.cwd else os.path.join(p.cwd, script)
            )
        for path in paths:
            if any(path.startswith(o + os.sep) for o in own_paths):
                continue
            if path not in done:
                via = f"/proc/{p.pid}/exe" if p.exe_deleted and path == p.exe else None
                sha = hash_exe(p) if path == p.exe else None
                done[path] = scan_file(path, rules, sha, key, via)
            if not done[path]:
                continue
            strength, families, rules_text, evidence = grouped(bundle, done[path])
            out.append(
                make_finding(
                    "yara_file",
                    strength,
                    N_("The program file of {name} (PID {pid}) is mining software ({family})"),
                    N_(
                        "{file} is a miner. If a user installed it, uninstall it: mining on "
                        "this PC is not allowed. Otherwise end the process, delete the file "
                        "and find what starts it."
                    ),
                    weak_action=N_(
                        "A low-certainty rule matched {file}. Check it with your antivirus; "
                        "keep this report for whoever looks after this PC."
                    ),
                    params={"name": p.name, "pid": p.pid, "family": families, "file": path},
                    subject=scan_processes.subject_of(p).model_copy(update={"file": path}),
                    rule=rules_text,
                    evidence=evidence,
                    bundle=bundle,
                )
            )
    return out


SCANNER = Scanner(
    name="yara_files",
    run=run,
    needs=("file_rules",),
    progress=N_("Scanning program files with YARA"),
    required=N_("the YARA scan of program files"),
)
