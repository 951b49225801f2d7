"""--deep: YARA file rules over the programs lying in temp and hidden folders."""

from __future__ import annotations

import os
import time

import agent.platform as plat
from agent.detect.findings import make_finding
from agent.detect.scan_files import scan_file
from agent.detect.scanners.base import Scanner, ScanRun
from agent.detect.scanners.yara_matches import rule_strength, rules_id
from agent.i18n import N_
from agent.wire.report import Finding, Strength, Subject

_EXE_MAGIC = (b"\x7fELF", b"MZ")


def suspicious_folders() -> list[str]:
    """Temp and hidden places where malware keeps its programs."""
    return plat.suspicious_folders()


def run(run: ScanRun) -> list[Finding]:
    bundle, settings, own_paths = run.bundle, run.settings, run.own_paths
    rules = bundle.file_rules
    key = rules_id(bundle)
    out: list[Finding] = []
    seen = 0
    for top in settings.deep_folders or suspicious_folders():
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirpath, d))]
            for name in filenames:
                seen += 1
                if seen > settings.deep_max_files or time.monotonic() > run.deadline:
                    return out
                path = os.path.join(dirpath, name)
                if any(path.startswith(o + os.sep) for o in own_paths):
                    continue
                try:
                    with open(path, "rb") as fh:
                        if not fh.read(4).startswith(_EXE_MAGIC):
                            continue
                except OSError:
                    continue
                for rule, strings in (scan_file(path, rules, None, key) or {}).items():
                    _strength, meta = rule_strength(bundle, rule)
                    out.append(
                        make_finding(
                            "yara_file_at_rest",
                            Strength.weak,
                            N_(
                                "Mining program {file} lies in a temporary or hidden folder "
                                "({family})"
                            ),
                            N_(
                                "It is not running now. Check {file} with your antivirus and how "
                                "it got there; keep this report for whoever looks after this PC."
                            ),
                            params={"file": path, "family": meta.get("family", rule)},
                            subject=Subject(file=path),
                            rule=rule,
                            evidence=strings,
                            passive_hint=True,
                            bundle=bundle,
                        )
                    )
    return out


SCANNER = Scanner(
    name="yara_folders", run=run, needs=("file_rules",), when=lambda run: run.ctx.options.deep
)
