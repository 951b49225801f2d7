"""Process scanner: miner command lines, known miner names, masquerading and hiding."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from agent import platform as agent_platform
from agent.detect.cmdline import Signal, analyze_text
from agent.detect.findings import make_finding
from agent.detect.locations import basename, dirname, hidden_location, is_windows_path
from agent.detect.procs import ProcInfo
from agent.i18n import N_
from agent.wire.report import Finding, Strength, Subject

if TYPE_CHECKING:
    from agent.bundle.loader import LoadedBundle

_INTERPRETERS = re.compile(r"(?i)^(python[0-9.]*|perl|ruby|node|php|bash|sh|dash|zsh)(\.exe)?$")
_KTHREAD_NAME = re.compile(r"^\[[\w/:.\-+ ]+\]$")
# names only kernel threads carry (a user process never has them)
_KTHREAD_COMM = re.compile(
    r"^(kworker/|ksoftirqd/|migration/|rcu_|kthreadd$|kswapd\d|watchdog/|kblockd$|"
    r"kdevtmpfs$|khugepaged$|kcompactd\d|cpuhp/|irq/\d)"
)
_WIN_SYSTEM_NAMES = {
    "svchost.exe": ("c:\\windows\\system32", "c:\\windows\\syswow64"),
    "conhost.exe": ("c:\\windows\\system32",),
    "explorer.exe": ("c:\\windows",),
    "dllhost.exe": ("c:\\windows\\system32", "c:\\windows\\syswow64"),
    "taskhostw.exe": ("c:\\windows\\system32",),
    "csrss.exe": ("c:\\windows\\system32",),
    "lsass.exe": ("c:\\windows\\system32",),
    "services.exe": ("c:\\windows\\system32",),
    "winlogon.exe": ("c:\\windows\\system32",),
    "smss.exe": ("c:\\windows\\system32",),
    "rundll32.exe": ("c:\\windows\\system32", "c:\\windows\\syswow64"),
    "wmiprvse.exe": ("c:\\windows\\system32\\wbem", "c:\\windows\\syswow64\\wbem"),
}


def subject_of(p: ProcInfo) -> Subject:
    return Subject(
        pid=p.pid,
        process_name=p.name,
        exe=p.exe,
        sha256=p.sha256,
        cmdline=p.cmdline_text[:1000] or None,
        user=p.user,
    )


def script_path(p: ProcInfo) -> str | None:
    """The script an interpreter runs (argv[1] that is not an option), if any."""
    if not p.exe or not _INTERPRETERS.match(basename(p.exe)):
        return None
    for tok in p.cmdline[1:3]:
        if tok.startswith("-"):
            continue
        if "/" in tok or "\\" in tok or tok.endswith((".py", ".sh", ".pl", ".js")):
            return tok
        break
    return None


_SYSTEM_PREFIXES = (
    "/usr/bin/",
    "/usr/sbin/",
    "/bin/",
    "/sbin/",
    "/usr/lib/",
    "/usr/libexec/",
    "/lib/",
    "/lib64/",
    "/usr/lib64/",
    "c:\\windows\\",
    "c:\\program files\\",
    "c:\\program files (x86)\\",
)


def system_program(path: str | None) -> bool:
    """A program file of the OS or an installed package: advice never says to delete it.
    (Path-based; dpkg/rpm ownership and code signatures are not checked yet.)"""
    low = (path or "").lower()
    return low.startswith(_SYSTEM_PREFIXES) or "\\windowsapps\\" in low


def protected_file(path: str | None) -> bool:
    """A file advice must never say to delete: an OS or package program, or an interpreter."""
    if not path:
        return False
    return (
        system_program(path)
        or bool(_INTERPRETERS.match(basename(path)))
        or agent_platform.owned_by_system(path)
    )


def miner_file(p: ProcInfo) -> str | None:
    """The miner's own file for process ``p``: the script an interpreter runs, else its
    program file unless that belongs to the OS or a package (then None)."""
    script = script_path(p)
    if script:
        if not os.path.isabs(script) and p.cwd:
            script = os.path.join(p.cwd, script)
        return None if protected_file(script) else script
    return None if protected_file(p.exe) else p.exe


def removal_action(p: ProcInfo, deletable: str, protected: str) -> tuple[str, str]:
    """(action msgid, file) : ``deletable`` names the miner's own file, ``protected`` says
    to stop the process tree and keep the system program it runs."""
    own = miner_file(p)
    return (deletable, own) if own else (protected, p.exe or p.name)


WEAK_PROCESS_ACTION = N_(
    "This alone does not prove mining. Check what {name} (PID {pid}) is with your antivirus; "
    "if nobody here knows it, keep this report and let whoever looks after this PC decide."
)

STOP_TREE_ACTION = N_(
    "Process {name} (PID {pid}) runs {exe}, which belongs to the system: do not delete it. "
    "Stop the process tree started by {name} (PID {pid}), then delete the miner it runs and "
    "look for what starts it."
)


def _system_dirs(bundle: LoadedBundle, name: str) -> tuple[str, ...] | None:
    table = bundle.system_binaries
    dirs = table.get(name.lower())
    if dirs:
        return tuple(d.lower().rstrip("\\/") for d in dirs)
    return _WIN_SYSTEM_NAMES.get(name.lower())


WEAK_CMDLINE_ACTION = N_(
    "Options like these are also used by some legitimate programs. Check what {name} "
    "(PID {pid}) runs ({exe}); if nobody here knows it, keep this report and let whoever "
    "looks after this PC decide."
)


def cmdline_findings(p: ProcInfo, bundle: LoadedBundle) -> list[Finding]:
    signals = analyze_text(p.cmdline_text, bundle)
    return signal_findings(signals, p, bundle)


def signal_findings(signals: list[Signal], p: ProcInfo, bundle: LoadedBundle) -> list[Finding]:
    if not signals:
        return []
    strong = [s for s in signals if s.strength == Strength.strong]
    chosen = strong or signals
    encoded = any(s.decoded for s in chosen)
    own = miner_file(p)
    if strong and not own:
        title = N_("Mining command line in process {name} (PID {pid})")
        action = N_(
            "{name} is a system program that started a miner with these options. Stop the "
            "process tree started by {name} (PID {pid}); do not delete {exe}, it belongs to "
            "the system. Then delete the miner it runs and look for what starts it."
        )
    elif strong:
        title = (
            N_("Encoded mining command line in process {name} (PID {pid})")
            if encoded
            else N_("Mining command line in process {name} (PID {pid})")
        )
        action = N_(
            "This process runs mining software (pool address or miner options in its "
            "command line). If nobody here started it on purpose, end the process, "
            "delete {exe} and look for what starts it again; if a user started it, "
            "stop it: mining on this PC is not allowed."
        )
    else:
        title = N_("Command line of process {name} (PID {pid}) uses mining-style options")
        action = None  # weak: the weak action below
    return [
        make_finding(
            "miner_cmdline",
            Strength.strong if strong else Strength.weak,
            title,
            action or WEAK_CMDLINE_ACTION,
            weak_action=WEAK_CMDLINE_ACTION,
            detail=N_("Matched: {matches}"),
            params={
                "name": p.name,
                "pid": p.pid,
                "exe": own or p.exe or p.name,
                "matches": ", ".join(sorted({s.rule for s in chosen})),
            },
            subject=subject_of(p),
            rule=chosen[0].rule,
            evidence=[s.evidence for s in chosen],
            passive_hint=True if encoded else None,
            bundle=bundle,
        )
    ]


def name_findings(p: ProcInfo, bundle: LoadedBundle) -> list[Finding]:
    table = bundle.miner_process_names
    out: list[Finding] = []
    for candidate in {p.name.lower(), basename(p.exe or "").lower()} - {""}:
        entry = table.get(candidate) or table.get(candidate.removesuffix(".exe"))
        if entry is None:
            continue
        family = getattr(entry, "family", None) or getattr(entry, "tag", None) or candidate
        action, exe = removal_action(
            p,
            N_(
                "{name} is mining software ({family}). If a user started it, stop it and "
                "uninstall it: mining on this PC is not allowed. If nobody did, treat the PC "
                "as infected: end it, delete {exe} and check what starts it."
            ),
            STOP_TREE_ACTION,
        )
        out.append(
            make_finding(
                "miner_process_name",
                Strength.strong,
                N_("Known mining program {name} is running (PID {pid})"),
                action,
                params={"name": p.name, "pid": p.pid, "family": family, "exe": exe},
                subject=subject_of(p),
                rule=f"miner_name:{candidate}",
                evidence=[candidate],
                passive_hint=False,
                bundle=bundle,
            )
        )
        break
    return out


def masquerade_findings(p: ProcInfo, bundle: LoadedBundle) -> list[Finding]:
    """A system program's name from the wrong folder, svchost without -k, a fake kernel
    thread."""
    out: list[Finding] = []
    params = {"name": p.name, "pid": p.pid, "exe": p.exe or "?"}
    subj = subject_of(p)
    act = N_(
        "A program pretending to be a system program is a typical sign of malware. "
        "Check {exe} with your antivirus; if it is not a known program, keep this report and "
        "let whoever looks after this PC decide."
    )
    if p.exe:
        name = basename(p.exe)
        # the program file's own name: a process name may differ from its file for good
        # reasons (symlinks such as python3 -> python3.11); interpreters live everywhere
        dirs = None if _INTERPRETERS.match(name) else _system_dirs(bundle, name)
        if dirs and dirname(p.exe).lower().rstrip("\\/") not in dirs:
            out.append(
                make_finding(
                    "masquerade_path",
                    Strength.weak,
                    N_("{name} (PID {pid}) runs from the wrong folder: {exe}"),
                    act,
                    params=params,
                    subject=subj,
                    rule=f"system_binary_path:{name.lower()}",
                    evidence=[p.exe],
                    passive_hint=True,
                    bundle=bundle,
                )
            )
        if (
            name.lower() == "svchost.exe"
            and is_windows_path(p.exe)
            and "-k" not in [t.lower() for t in p.cmdline]
        ):
            out.append(
                make_finding(
                    "masquerade_svchost",
                    Strength.weak,
                    N_("svchost.exe (PID {pid}) runs without -k"),
                    act,
                    params=params,
                    subject=subj,
                    rule="svchost_without_k",
                    evidence=[p.cmdline_text],
                    passive_hint=True,
                    bundle=bundle,
                )
            )
        argv0 = p.cmdline[0] if p.cmdline else ""
        if (
            _KTHREAD_NAME.match(argv0)
            or _KTHREAD_NAME.match(p.name)
            or (_KTHREAD_COMM.match(p.name) and not is_windows_path(p.exe))
        ):
            out.append(
                make_finding(
                    "kernel_thread_spoof",
                    Strength.weak,
                    N_("Process {pid} calls itself a kernel thread but runs the program {exe}"),
                    act,
                    params=params,
                    subject=subj,
                    rule="kernel_thread_name_with_exe",
                    evidence=[argv0 or p.name],
                    passive_hint=True,
                    bundle=bundle,
                )
            )
    return out


def hidden_location_findings(p: ProcInfo, bundle: LoadedBundle) -> list[Finding]:
    """The program (or script) runs from a temporary or hidden folder."""
    out: list[Finding] = []
    params = {"name": p.name, "pid": p.pid, "exe": p.exe or "?"}
    subj = subject_of(p)
    for path in (None if p.exe_deleted else p.exe, script_path(p)):
        where = hidden_location(path)
        if where:
            out.append(
                make_finding(
                    "hidden_location",
                    Strength.weak,
                    N_("Process {name} (PID {pid}) runs from a temporary or hidden folder: {path}"),
                    N_(
                        "Programs rarely run from temporary or hidden folders; malware often does. "
                        "Check {path} with your antivirus; if you do not know it, keep this "
                        "report and let whoever looks after this PC decide."
                    ),
                    params={**params, "path": path},
                    subject=subj,
                    rule=f"hidden_location:{where}",
                    evidence=[path],
                    passive_hint=True,
                    bundle=bundle,
                )
            )
            break
    return out


def deleted_executable_findings(p: ProcInfo, bundle: LoadedBundle) -> list[Finding]:
    """The program file was deleted after start, or lives only in memory (memfd)."""
    out: list[Finding] = []
    params = {"name": p.name, "pid": p.pid, "exe": p.exe or "?"}
    subj = subject_of(p)
    if p.exe_deleted and not _replaced_by_update(p):
        out.append(
            make_finding(
                "deleted_executable",
                Strength.weak,
                N_(
                    "Process {name} (PID {pid}) runs a file that was deleted or exists only in "
                    "memory"
                ),
                N_(
                    "Malware often makes its own file vanish after starting, to hide. Note the "
                    "process details and look for what starts it (scheduled tasks, services, "
                    "cron); keep this report for whoever looks after this PC."
                ),
                params=params,
                subject=subj,
                rule="deleted_executable",
                evidence=[p.exe_link or p.exe or ""],
                passive_hint=True,
                bundle=bundle,
            )
        )
    return out


def _replaced_by_update(p: ProcInfo) -> bool:
    """A program whose file a package update replaced (same path exists again, outside temp
    and hidden places) still shows as deleted until restarted: not a hiding trick."""
    path = p.exe or ""
    return (
        not path.startswith(("/memfd:", "memfd:"))
        and hidden_location(path) is None
        and os.path.isfile(path)
    )
