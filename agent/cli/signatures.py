"""`minecheck signatures info|verify|import|manifest`: show the bundle in use, check bundles,
import a province's lists of pool domains/IPs into the local override bundle."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from agent.i18n import _, get_language


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    info = sub.add_parser("info", help=_("Show the signature bundle in use"))
    info.add_argument("--json", action="store_true", help=_("Print as JSON"))
    verify = sub.add_parser("verify", help=_("Check a signature bundle (default: all in use)"))
    verify.add_argument(
        "path", nargs="?", type=Path, help=_("Bundle folder or packed file to check")
    )
    imp = sub.add_parser(
        "import", help=_("Import pool domain/IP lists (plain text, hosts file or CSV)")
    )
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE")
    imp.add_argument("--source", help=_("Where the list comes from (stored with each entry)"))
    imp.add_argument(
        "--dry-run", action="store_true", help=_("Check the files without importing anything")
    )
    man = sub.add_parser("manifest", help=_("Regenerate a bundle folder's manifest.json"))
    man.add_argument("folder", nargs="?", type=Path, help=_("Bundle folder (default: shipped)"))
    man.add_argument("--version", dest="bundle_version", help=_("Bundle version to write"))
    man.add_argument(
        "--check", action="store_true", help=_("Only check; exit 2 when the manifest is stale")
    )


def run(args: argparse.Namespace) -> int:
    action = getattr(args, "action", None)
    if action == "info":
        return _info(args)
    if action == "verify":
        return _verify(args)
    if action == "import":
        return _import(args)
    if action == "manifest":
        return _manifest(args)
    print(_("Choose one of: info, verify, import, manifest"), file=sys.stderr)
    return 2


def _home() -> Path:
    from agent import paths

    return paths.home_dir()


def _info(args: argparse.Namespace) -> int:
    from agent.bundle import load_bundle

    bundle = load_bundle(_home())
    lang = get_language()
    data = {
        "version": bundle.version,
        "date": bundle.date,
        "source": bundle.source,
        "base_source": bundle.base_source,
        "origin": bundle.origin,
        "rules_sha256": bundle.rules_sha256,
        "counts": bundle.counts(),
        "override_added": bundle.override_counts,
        "families": bundle.families(),
        "problems": [p.get(lang) for p in bundle.problems],
    }
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(_("Signature bundle version {version} ({date})").format(**data))
    print(
        _("Source: {source} ({origin})").format(
            source=_source_name(bundle.source, bundle.base_source), origin=bundle.origin
        )
    )
    print(_("Rules hash: {sha}").format(sha=bundle.rules_sha256))
    labels = {
        "file_rules": _("YARA rules for files"),
        "memory_rules": _("YARA rules for process memory"),
        "pool_domains": _("Pool domains"),
        "pool_ips": _("Pool IP addresses and ranges"),
        "mining_ports": _("Typical mining ports"),
        "stratum_schemes": _("Pool URL schemes"),
        "miner_process_names": _("Known miner program names"),
        "system_binaries": _("System programs with their folders"),
        "benign_heavy": _("Known heavy but benign programs"),
    }
    for key, count in data["counts"].items():
        print(f"  {labels.get(key, key)}: {count}")
    if bundle.override_counts:
        print(
            _("Imported locally: {count} entries").format(
                count=sum(bundle.override_counts.values())
            )
        )
    print(_("Miner families: {families}").format(families=", ".join(data["families"])))
    for problem in data["problems"]:
        print(_("Problem: {problem}").format(problem=problem))
    return 0


def _source_name(source: str, base: str) -> str:
    from agent.report.wording import bundle_source_name

    if source == "override" and base != source:
        return f"{_(bundle_source_name(base))} + {_(bundle_source_name('override'))}"
    return _(bundle_source_name(source))


def _verify(args: argparse.Namespace) -> int:
    from agent.bundle import load_bundle
    from agent.bundle.files import BundleError, read_bundle
    from agent.bundle.loader import build_bundle, rules_cache_dir

    lang = get_language()
    if args.path is not None:
        try:
            loaded = build_bundle(read_bundle(args.path), "verify", rules_cache_dir(_home()))
        except BundleError as exc:
            from agent.i18n import localized

            print(
                _("Bundle is NOT valid: {reason}").format(
                    reason=localized(exc.message, **exc.params).get(lang)
                ),
                file=sys.stderr,
            )
            return 2
        except OSError as exc:
            print(
                _("Cannot read {path}: {error}").format(path=args.path, error=exc), file=sys.stderr
            )
            return 2
        print(
            _(
                "Bundle is valid: version {version}, {files} file rules, {memory} memory rules"
            ).format(
                version=loaded.version,
                files=len(loaded.rule_names("file")),
                memory=len(loaded.rule_names("memory")),
            )
        )
        return 0
    bundle = load_bundle(_home())
    for problem in bundle.problems:
        print(_("Problem: {problem}").format(problem=problem.get(lang)), file=sys.stderr)
    if bundle.problems or bundle.source == "none":
        print(
            _("Signature bundles have problems; in use: version {version} ({source})").format(
                version=bundle.version, source=_source_name(bundle.source, bundle.base_source)
            ),
            file=sys.stderr,
        )
        return 2
    print(
        _("Signature bundle OK: version {version} ({source})").format(
            version=bundle.version, source=_source_name(bundle.source, bundle.base_source)
        )
    )
    return 0


def _import(args: argparse.Namespace) -> int:
    from agent.bundle.importer import import_files
    from agent.bundle.lists import DOMAINS, IP_RANGES, PORTS

    home = _home()
    result = import_files(list(args.files), home, source=args.source, dry_run=args.dry_run)
    for err in result.errors:
        print(f"{err.path}:{err.line}: {_translate_reason(err.reason)}", file=sys.stderr)
    names = {DOMAINS: _("domains"), IP_RANGES: _("IP addresses/ranges"), PORTS: _("ports")}
    added = ", ".join(f"{names.get(k, k)} {v}" for k, v in sorted(result.added.items())) or "0"
    line = _("Imported: {added}; already present: {duplicates}; bad lines: {bad}").format(
        added=added, duplicates=result.duplicates, bad=len(result.errors)
    )
    if args.dry_run:
        line = _("Dry run, nothing written.") + " " + line
    print(line)
    if result.errors:
        print(_("Bad lines were skipped; every other line was imported."), file=sys.stderr)
        return 2
    if not args.dry_run and result.added_total:
        print(_("Stored in {path}").format(path=home / "signatures" / "override"))
    return 0


def _translate_reason(reason: str) -> str:
    """Per-line reasons are English technical text; keep them, prefixed in Chinese."""
    if get_language() == "en":
        return reason
    return _("bad entry") + f" ({reason})"


def _manifest(args: argparse.Namespace) -> int:
    from agent.bundle.files import BundleError, read_folder, verify_manifest, write_manifest
    from agent.bundle.loader import builtin_location

    folder = args.folder or builtin_location()
    if args.check:
        try:
            manifest = verify_manifest(read_folder(folder))
        except BundleError as exc:
            print(_("Manifest is stale or broken: {error}").format(error=exc), file=sys.stderr)
            return 2
        print(_("Manifest up to date: version {version}").format(version=manifest.version))
        return 0
    manifest, changed = write_manifest(folder, args.bundle_version)
    msg = (
        _("Manifest written: version {version}")
        if changed
        else _("Manifest unchanged: version {version}")
    )
    print(msg.format(version=manifest.version))
    return 0
