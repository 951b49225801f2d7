"""Linux process facts beyond psutil: the /proc/PID/exe link (deleted and memfd programs)."""

from __future__ import annotations

import os
from typing import Any


def refine_process(pi: Any) -> None:
    """Set ``exe``, ``exe_link`` and ``exe_deleted`` of a ProcInfo from /proc/PID/exe."""
    try:
        link = os.readlink(f"/proc/{pi.pid}/exe")
    except OSError:
        return
    pi.exe_link = link
    if link.endswith(" (deleted)") or link.startswith("/memfd:"):
        pi.exe_deleted = True
        pi.exe = link.removesuffix(" (deleted)")
    else:
        pi.exe = link
