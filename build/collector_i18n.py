"""The collector's catalogue through the one translation pipeline (build/i18n.py, Babel):

    python build/collector_i18n.py update|compile|check

is ``python build/i18n.py update|compile|check collector``
(collector_server/locale/zh_Hans/LC_MESSAGES/django.po and its .mo).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import i18n


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    return i18n.main(["i18n.py", command, "collector"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
