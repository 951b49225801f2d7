"""What other apps call: ``case_blockers`` (notices' close()), ``due_this_week`` (overview)."""

from __future__ import annotations

from .due import due_this_week
from .pledges import case_blockers, completion
from .review import generate_all, generate_review

__all__ = ["case_blockers", "completion", "due_this_week", "generate_all", "generate_review"]
