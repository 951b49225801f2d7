"""The two steps every import page shares: keep the previewed file in the data folder, then
apply exactly that file once on confirm (or say it expired)."""

from __future__ import annotations

import contextlib
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest


def upload_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def forget_old_uploads(max_age_s: int = 24 * 3600) -> None:
    """Previews never confirmed leave their file behind: remove those older than a day."""
    limit = time.time() - max_age_s
    for path in upload_dir().glob("*"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()


def save_upload(upload, prefix: str = "") -> Path:
    """Write an uploaded file under a random name (its suffix kept) for the dry run."""
    forget_old_uploads()
    path = upload_dir() / f"{prefix}{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


def remember(request: HttpRequest, key: str, path: Path, name: str, **extra) -> None:
    """Keep ``path`` for the confirm step, replacing (and deleting) an earlier preview's."""
    old = request.session.get(key)
    if old:
        (upload_dir() / Path(old["file"]).name).unlink(missing_ok=True)
    request.session[key] = {"file": path.name, "name": name, **extra}


def take(request: HttpRequest, key: str) -> dict | None:
    """The kept preview ({"path", "name", ...}), forgotten from the session; None when there
    is none or its file is gone (the caller says it expired)."""
    stored = request.session.pop(key, None)
    if not stored:
        return None
    path = upload_dir() / Path(stored["file"]).name
    return {**stored, "path": path} if path.exists() else None
