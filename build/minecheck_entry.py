"""Entry point of the one-file executable (PyInstaller runs this as ``__main__``)."""

from agent.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
