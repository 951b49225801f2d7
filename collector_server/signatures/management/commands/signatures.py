"""`minecheck-server signatures import|list|pubkey`: signature bundles for the agents."""

from __future__ import annotations

import argparse
from pathlib import Path

from collector_server.commandline import CLIError, CollectorCommand


class Command(CollectorCommand):
    help = "signature bundles for the agents"

    def add_arguments(self, parser) -> None:
        ssub = parser.add_subparsers(dest="sig_cmd", required=True)
        i = ssub.add_parser(
            "import", help="import a list (txt/hosts/CSV) or a .yar file; publish a bundle"
        )
        i.add_argument("files", nargs="+", metavar="FILE")
        i.add_argument("--note", help="e.g. the notice number")
        ssub.add_parser("list", help="published bundles")
        ssub.add_parser("pubkey", help="the public key agents verify with")

    def run(self, **options) -> int:
        args = argparse.Namespace(**options)
        from collector_server.signatures.bundles import ImportRefused, import_file
        from collector_server.signatures.keys import key_path, public_key_b64
        from collector_server.signatures.models import SignatureBundle

        if args.sig_cmd == "import":
            status = 0
            for name in args.files:
                path = Path(name)
                try:
                    data = path.read_bytes()
                except OSError as exc:
                    raise CLIError(f"{path}: cannot read ({exc.strerror or exc})") from exc
                try:
                    outcome = import_file(path.name, data, args.note or "")
                except ImportRefused as exc:
                    print(f"{path}: import refused: {exc}")
                    status = 1
                    continue
                added = ", ".join(f"{k} +{v}" for k, v in outcome.added.items() if v)
                print(
                    f"{path}: bundle {outcome.bundle.version} published ({added}; "
                    f"{outcome.duplicates} already known; {len(outcome.problems)} bad lines "
                    f"skipped)"
                )
                for problem in outcome.problems[:50]:
                    print(f"  skipped {problem}")
            return status
        if args.sig_cmd == "pubkey":
            print(public_key_b64())
            print(f"(private key: {key_path()})")
            return 0
        bundles = SignatureBundle.objects.defer("archive")
        if not bundles:
            print("no bundle published yet: agents use the bundle they shipped with")
        for b in bundles:
            print(
                f"{b.version}\t{b.created_at:%Y-%m-%d %H:%M}\t{b.size} bytes\t"
                f"sha256 {b.sha256[:16]}…\t{b.notes}"
            )
        return 0
