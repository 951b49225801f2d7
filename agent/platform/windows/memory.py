"""Windows process memory: regions from VirtualQueryEx, read with ReadProcessMemory.

The regions are turned into the same :class:`Region` form as Linux /proc/PID/maps so one
selection rule (image, heap-like private memory, huge regions only sampled) serves both.
"""

from __future__ import annotations

import ntpath
from dataclasses import dataclass

from agent.platform.types import Region

MEM_COMMIT = 0x1000
MEM_IMAGE = 0x1000000
MEM_MAPPED = 0x40000
MEM_PRIVATE = 0x20000
PAGE_NOACCESS = 0x01
PAGE_GUARD = 0x100
_READABLE = {0x02, 0x04, 0x08, 0x20, 0x40, 0x80}
PROCESS_QUERY_INFORMATION = 0x0400
PROCESS_VM_READ = 0x0010


@dataclass(frozen=True)
class RawRegion:
    """One VirtualQueryEx answer (plus GetMappedFileName for image/mapped regions)."""

    base: int
    size: int
    state: int
    protect: int
    type: int
    mapped_file: str = ""


def to_regions(raw: list[RawRegion], exe: str | None) -> list[Region]:
    """Committed readable regions in the Linux form: perms 'r?-p'/'r?-s', image path."""
    exe_name = ntpath.basename(exe).lower() if exe else None
    out = []
    for r in raw:
        if r.state != MEM_COMMIT or r.protect & PAGE_GUARD or r.protect & PAGE_NOACCESS:
            continue
        if (r.protect & 0xFF) not in _READABLE:
            continue
        perms = "rw-p" if r.type == MEM_PRIVATE else "r--s"
        if r.type == MEM_IMAGE:
            name = ntpath.basename(r.mapped_file).lower()
            path = exe if exe_name and name == exe_name else (r.mapped_file or "[image]")
            perms = "r--p"
        elif r.type == MEM_MAPPED:
            path = r.mapped_file or "[mapped]"
        else:
            path = ""
        out.append(Region(r.base, r.base + r.size, perms, path))
    return out


class ProcessReader:
    """OpenProcess + VirtualQueryEx + ReadProcessMemory (Windows only)."""

    def __init__(self, pid: int) -> None:
        import ctypes
        from ctypes import wintypes

        self._ct = ctypes
        self.k32 = ctypes.WinDLL("kernel32", use_last_error=True)
        self.psapi = ctypes.WinDLL("psapi", use_last_error=True)
        self.k32.OpenProcess.restype = wintypes.HANDLE
        self.handle = self.k32.OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, False, pid)
        if not self.handle:
            err = ctypes.get_last_error()
            raise (
                PermissionError(err, "OpenProcess failed")
                if err == 5
                else ProcessLookupError(err, "OpenProcess failed")
            )

        class MBI(ctypes.Structure):
            _fields_ = [
                ("BaseAddress", ctypes.c_void_p),
                ("AllocationBase", ctypes.c_void_p),
                ("AllocationProtect", wintypes.DWORD),
                ("PartitionId", wintypes.WORD),
                ("RegionSize", ctypes.c_size_t),
                ("State", wintypes.DWORD),
                ("Protect", wintypes.DWORD),
                ("Type", wintypes.DWORD),
            ]

        self._mbi = MBI
        k, ps = self.k32, self.psapi
        k.VirtualQueryEx.argtypes = [
            wintypes.HANDLE,
            ctypes.c_void_p,
            ctypes.c_void_p,
            ctypes.c_size_t,
        ]
        k.VirtualQueryEx.restype = ctypes.c_size_t
        k.ReadProcessMemory.argtypes = [
            wintypes.HANDLE,
            ctypes.c_void_p,
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.POINTER(ctypes.c_size_t),
        ]
        k.ReadProcessMemory.restype = wintypes.BOOL
        k.CloseHandle.argtypes = [wintypes.HANDLE]
        ps.GetMappedFileNameW.argtypes = [
            wintypes.HANDLE,
            ctypes.c_void_p,
            wintypes.LPWSTR,
            wintypes.DWORD,
        ]
        ps.GetMappedFileNameW.restype = wintypes.DWORD

    def regions(self, limit: int = 1 << 47) -> list[RawRegion]:
        ct = self._ct
        out: list[RawRegion] = []
        addr = 0
        mbi = self._mbi()
        name = ct.create_unicode_buffer(1024)
        while addr < limit:
            got = self.k32.VirtualQueryEx(
                self.handle, ct.c_void_p(addr), ct.byref(mbi), ct.sizeof(mbi)
            )
            if not got or not mbi.RegionSize:
                break
            base = mbi.BaseAddress or 0
            mapped = ""
            if (
                mbi.State == MEM_COMMIT
                and mbi.Type in (MEM_IMAGE, MEM_MAPPED)
                and self.psapi.GetMappedFileNameW(self.handle, ct.c_void_p(base), name, 1024)
            ):
                mapped = name.value
            out.append(RawRegion(base, mbi.RegionSize, mbi.State, mbi.Protect, mbi.Type, mapped))
            addr = base + mbi.RegionSize
        return out

    def read(self, addr: int, length: int) -> bytes:
        ct = self._ct
        buf = ct.create_string_buffer(length)
        done = ct.c_size_t(0)
        if (
            not self.k32.ReadProcessMemory(
                self.handle, ct.c_void_p(addr), buf, length, ct.byref(done)
            )
            and not done.value
        ):
            raise OSError(ct.get_last_error(), "ReadProcessMemory failed")
        return buf.raw[: done.value]

    def close(self) -> None:
        self.k32.CloseHandle(self.handle)


class WindowsProcessMemory:
    """The same reader interface as Linux's: regions in the /proc/PID/maps form."""

    def __init__(self, pid: int, exe: str | None) -> None:
        self._reader = ProcessReader(pid)
        self._exe = exe

    def regions(self) -> list[Region]:
        return to_regions(self._reader.regions(), self._exe)

    def read(self, start: int, length: int) -> bytes:
        return self._reader.read(start, length)

    def close(self) -> None:
        self._reader.close()
