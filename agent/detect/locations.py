"""Where a file lives: temp and hidden folders, system folders (pure path logic, both OSes)."""

from __future__ import annotations

import re

_WIN_TEMPISH = re.compile(
    r"(?i)\\(temp|tmp)\\|\\appdata\\(local|roaming|locallow)\\|^[a-z]:\\programdata\\"
    r"|^[a-z]:\\users\\public\\|\\\$recycle\.bin\\|^[a-z]:\\windows\\temp\\"
)
_POSIX_TEMP = ("/tmp/", "/var/tmp/", "/dev/shm/", "/run/shm/", "/dev/mqueue/")
# Dot-folders that legitimately hold programs (tool chains, virtualenvs, editors).
_BENIGN_DOT_DIRS = frozenset(
    {
        ".local",
        ".venv",
        ".cargo",
        ".rustup",
        ".pyenv",
        ".nvm",
        ".npm",
        ".vscode",
        ".vscode-server",
        ".git",
        ".cache",
        ".config",
        ".dotnet",
        ".sdkman",
        ".bun",
        ".deno",
        ".tox",
        ".nox",
        ".mozilla",
        ".steam",
        ".var",
        ".conda",
    }
)
_CACHE_SUBDIRS_OK = ("pypoetry", "ms-playwright", "pip", "uv", "pre-commit", "bazel")


def is_windows_path(path: str) -> bool:
    return bool(re.match(r"^[A-Za-z]:\\", path)) or path.startswith("\\\\")


def hidden_location(path: str | None) -> str | None:
    """Why ``path`` is a temp/hidden location (a short tag), or None."""
    if not path:
        return None
    if path.startswith("memfd:") or path.startswith("/memfd:"):
        return "memfd"
    if is_windows_path(path):
        m = _WIN_TEMPISH.search(path)
        return m.group(0).strip("\\").lower() if m else None
    for prefix in _POSIX_TEMP:
        if path.startswith(prefix):
            return prefix.rstrip("/")
    parts = path.split("/")[:-1]
    for i, part in enumerate(parts):
        if part.startswith(".") and part not in (".", ".."):
            if part in _BENIGN_DOT_DIRS:
                nxt = parts[i + 1] if i + 1 < len(parts) else ""
                if part in (".cache", ".config") and nxt and nxt not in _CACHE_SUBDIRS_OK:
                    # a program hiding in ~/.cache/<x> or ~/.config/<x> (never legitimate
                    # for an executable except the tool caches above)
                    return f"{part}/{nxt}"
                continue
            return part
    return None


def basename(path: str) -> str:
    return re.split(r"[\\/]", path)[-1]


def dirname(path: str) -> str:
    parts = re.split(r"([\\/])", path)
    return "".join(parts[:-2]) if len(parts) > 2 else ""
