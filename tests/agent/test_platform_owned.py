"""Which files belong to the OS or an installed package (advice never says to delete them)."""

from __future__ import annotations

import os
import shutil

import pytest

from agent import platform as agent_platform
from agent.platform.linux.packages import package_owned


def test_dpkg_lists_name_package_files(tmp_path):
    info = tmp_path / "info"
    info.mkdir()
    (info / "coreutils.list").write_text("/.\n/usr\n/usr/bin\n/usr/bin/timeout\n/bin/sleep\n")
    (info / "coreutils.md5sums").write_text("00  usr/bin/evil\n")
    assert package_owned("/usr/bin/timeout", str(info))
    assert package_owned("/bin/timeout", str(info))  # usr-merged spelling
    assert package_owned("/usr/bin/sleep", str(info))
    assert not package_owned("/usr/bin/evil", str(info))
    assert not package_owned(str(tmp_path / "xmrig"), str(info))


@pytest.mark.skipif(not os.path.isdir("/var/lib/dpkg/info"), reason="dpkg system only")
def test_real_package_programs_are_owned():
    assert agent_platform.owned_by_system(shutil.which("timeout") or "/usr/bin/timeout")
    assert not agent_platform.owned_by_system("/tmp/.X11-cache/xmrig")


@pytest.mark.parametrize(
    "path, owned",
    [
        ("C:\\Windows\\System32\\cmd.exe", True),
        ("c:/windows/system32/WindowsPowerShell/v1.0/powershell.exe", True),
        ("C:\\Program Files\\WindowsApps\\Python.3.11\\python.exe", True),
        ("C:\\Program Files (x86)\\Vendor\\app.exe", True),
        ("C:\\Users\\Public\\svchost.exe", False),
        ("C:\\ProgramData\\xmrig\\xmrig.exe", False),
    ],
)
def test_windows_path_rules(path, owned):
    assert agent_platform.owned_by_system(path) is owned
