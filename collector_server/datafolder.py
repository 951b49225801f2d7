"""Owner-only permissions for the data folder (database, secret key, signing key)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def secure_data_folder(folder: Path) -> None:
    """Create ``folder`` 0700, make its files 0600 and set the umask so new files are too.

    POSIX only: on Windows the folder's ACLs apply and this only creates the folder.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if os.name != "posix":
        return
    os.umask(0o077)
    with contextlib.suppress(OSError):
        folder.chmod(FOLDER_MODE)
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):
            if path.is_symlink():
                continue
            path.chmod(FOLDER_MODE if path.is_dir() else FILE_MODE)
