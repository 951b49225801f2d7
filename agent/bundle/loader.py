"""Choosing, validating and loading the signature bundle the agent uses.

Home folder layout (``MINECHECK_HOME``)::

    signatures/current/    bundle pushed by the collector (manifest + files)
    signatures/last_good/  copy of the last collector bundle that validated
    signatures/override/   lists imported locally (``minecheck signatures import``)
    cache/yara/            compiled rules, keyed by the rules' content hash

Order: a valid ``current`` bundle not older than the shipped one; else ``last_good``;
else the shipped default. The override lists are merged over whichever is used.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yara

from agent.bundle import lists as L
from agent.bundle.entries import Entry
from agent.bundle.files import (
    BundleError,
    BundleFiles,
    read_bundle,
    read_manifest,
    sha256,
    verify_manifest,
    version_key,
    write_folder_atomic,
)
from agent.bundle.matchers import DomainMatcher, IPMatcher
from agent.bundle.rules import SCOPES, HeaderFilter, RuleError, header_filter, load_or_compile
from agent.i18n import N_, gettext_in, localized
from agent.wire.report import LocalizedText

log = logging.getLogger(__name__)

SOURCE_BUILTIN = "builtin"
SOURCE_COLLECTOR = "collector"
SOURCE_LAST_GOOD = "last_good"
SOURCE_OVERRIDE = "override"


ENV_BUILTIN = "MINECHECK_BUILTIN_SIGNATURES"


def builtin_location() -> Path:
    """The shipped default bundle: the ``signatures`` package folder (plain files, or only
    ``packed.bin`` in the one-file executable). ``MINECHECK_BUILTIN_SIGNATURES`` names another
    folder instead (support: try a bundle on one PC; the report then says so)."""
    chosen = os.environ.get(ENV_BUILTIN)
    if chosen:
        return Path(chosen)
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen and (Path(frozen) / "signatures").is_dir():
        return Path(frozen) / "signatures"
    from signatures import BUNDLE_DIR

    return BUNDLE_DIR


def signatures_home(home: Path) -> Path:
    return home / "signatures"


def rules_cache_dir(home: Path) -> Path:
    return home / "cache" / "yara"


@dataclass
class LoadedBundle:
    """A validated bundle with compiled rules and ready matchers (see the package contract)."""

    version: str
    source: str
    rules_sha256: str
    file_rules: yara.Rules
    memory_rules: yara.Rules
    date: str = ""
    origin: str = ""
    base_source: str = ""
    problems: list[LocalizedText] = field(default_factory=list)
    pool_domains: DomainMatcher = field(default_factory=DomainMatcher)
    pool_ips: IPMatcher = field(default_factory=IPMatcher)
    mining_ports: dict[int, Entry] = field(default_factory=dict)
    stratum_schemes: tuple[str, ...] = ()
    miner_process_names: dict[str, Entry] = field(default_factory=dict)
    system_binaries: dict[str, list[str]] = field(default_factory=dict)
    system_binaries_by_platform: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    benign_heavy: dict[str, Entry] = field(default_factory=dict)
    override_counts: dict[str, int] = field(default_factory=dict)
    file_header_filter: HeaderFilter | None = None
    _meta: dict[str, dict] = field(default_factory=dict, repr=False)

    def rule_meta(self, rule_name: str) -> dict:
        """Meta of a rule (family, kind, severity, scope, description_zh/en); {} if unknown."""
        return dict(self._meta.get(rule_name, {}))

    def match_file(self, path: str | Path, timeout: int = 60, fast: bool = False) -> list:
        """File-scope matches for ``path``. Files whose first bytes no file rule accepts (all
        rules are anchored on executable/script headers) are not scanned at all.
        Raises OSError when the file cannot be read, yara.Error when the scan fails."""
        if self.file_header_filter is not None:
            with open(path, "rb") as fh:
                if not self.file_header_filter.may_match(fh.read(4)):
                    return []
        return self.file_rules.match(str(path), timeout=timeout, fast=fast)

    def rule_names(self, scope: str | None = None) -> list[str]:
        return sorted(n for n, m in self._meta.items() if scope in (None, m.get("scope")))

    def families(self) -> list[str]:
        return sorted({str(m.get("family", "")) for m in self._meta.values()})

    def counts(self) -> dict[str, int]:
        return {
            "file_rules": len(self.rule_names("file")),
            "memory_rules": len(self.rule_names("memory")),
            "pool_domains": len(self.pool_domains),
            "pool_ips": len(self.pool_ips),
            "mining_ports": len(self.mining_ports),
            "stratum_schemes": len(self.stratum_schemes),
            "miner_process_names": len({e.value for e in self.miner_process_names.values()}),
            "system_binaries": len(self.system_binaries),
            "benign_heavy": len({e.value for e in self.benign_heavy.values()}),
        }


def _problem(exc: BundleError) -> LocalizedText:
    return localized(exc.message, **exc.params)


def _fail(message: str, **params: object) -> BundleError:
    return BundleError(message, **params)


def _names_with_exe(entries: list[Entry]) -> dict[str, Entry]:
    """lower-case name -> entry, with and without a ``.exe`` suffix."""
    table: dict[str, Entry] = {}
    for entry in entries:
        name = entry.value.lower()
        base = name.removesuffix(".exe")
        table.setdefault(base, entry)
        table.setdefault(base + ".exe", entry)
    return table


def build_bundle(bundle: BundleFiles, source: str, cache_dir: Path | None) -> LoadedBundle:
    """Validate ``bundle`` (manifest, lists, rule lint, YARA compilation) and load it.

    Raises BundleError with a readable reason when anything is wrong.
    """
    manifest = verify_manifest(bundle)
    parsed: dict[str, L.ParsedList] = {}
    for rel in L.TSV_LISTS:
        if rel not in bundle.files:
            raise _fail(N_("{path}: the list {file} is missing"), path=bundle.origin, file=rel)
        try:
            text = bundle.text(rel)
        except UnicodeDecodeError as exc:
            raise _fail(
                N_("{path}: {file} is not UTF-8 text"), path=bundle.origin, file=rel
            ) from exc
        parsed[rel] = L.parse_tsv_list(rel, text)
        if parsed[rel].errors:
            raise _fail(
                N_("{path}: bad line {error} ({count} bad lines in all)"),
                path=bundle.origin,
                error=str(parsed[rel].errors[0]),
                count=len(parsed[rel].errors),
            )
    if L.SYSTEM_BINARIES not in bundle.files:
        raise _fail(
            N_("{path}: the list {file} is missing"), path=bundle.origin, file=L.SYSTEM_BINARIES
        )
    sysbins, errors = L.parse_system_binaries(bundle.text(L.SYSTEM_BINARIES))
    if errors:
        raise _fail(
            N_("{path}: bad line {error} ({count} bad lines in all)"),
            path=bundle.origin,
            error=str(errors[0]),
            count=len(errors),
        )

    compiled: dict[str, yara.Rules] = {}
    keys = []
    prefilter: HeaderFilter | None = None
    for scope in SCOPES:
        sources = {
            rel.removesuffix(".yar"): data.decode("utf-8", "replace")
            for rel, data in bundle.under(f"yara/{scope}/", ".yar").items()
        }
        if scope == "file":
            prefilter = header_filter(sources)
        try:
            compiled[scope] = load_or_compile(scope, sources, cache_dir)
        except RuleError as exc:
            raise _fail(
                N_("{path}: rule check failed: {error}"), path=bundle.origin, error=str(exc)
            ) from exc
        except yara.Error as exc:
            raise _fail(
                N_("{path}: a YARA rule does not compile: {error}"),
                path=bundle.origin,
                error=str(exc),
            ) from exc
        keys.append(
            f"{scope}:"
            + hashlib.sha256(
                b"".join(sha256(s.encode()).encode() for s in sources.values())
            ).hexdigest()
        )
    meta: dict[str, dict] = {}
    for scope in SCOPES:
        for rule in compiled[scope]:
            if rule.identifier in meta:
                raise _fail(
                    N_("{path}: rule name {rule} is used twice"),
                    path=bundle.origin,
                    rule=rule.identifier,
                )
            meta[rule.identifier] = dict(rule.meta)
    meta.pop("minecheck_no_rules", None)

    loaded = LoadedBundle(
        version=manifest.version,
        date=manifest.date,
        source=source,
        base_source=source,
        origin=bundle.origin,
        rules_sha256=sha256("\n".join(keys).encode()),
        file_rules=compiled["file"],
        memory_rules=compiled["memory"],
        file_header_filter=prefilter,
        _meta=meta,
    )
    _add_lists(loaded, {k: v.entries for k, v in parsed.items()})
    for row in sysbins:
        dirs = [L.expand_dir(d) for d in row.dirs]
        loaded.system_binaries.setdefault(row.name, []).extend(dirs)
        loaded.system_binaries_by_platform.setdefault(row.platform, {})[row.name] = dirs
    return loaded


def _add_lists(loaded: LoadedBundle, entries: dict[str, list[Entry]]) -> dict[str, int]:
    """Merge list entries into ``loaded``; returns how many were new per list."""
    added = dict.fromkeys(entries, 0)
    for e in entries.get(L.DOMAINS, []):
        added[L.DOMAINS] += loaded.pool_domains.add(e)
    for e in entries.get(L.IP_RANGES, []):
        added[L.IP_RANGES] += loaded.pool_ips.add(e)
    for e in entries.get(L.PORTS, []):
        if int(e.value) not in loaded.mining_ports:
            loaded.mining_ports[int(e.value)] = e
            added[L.PORTS] += 1
    schemes = list(loaded.stratum_schemes)
    for e in entries.get(L.SCHEMES, []):
        if e.value not in schemes:
            schemes.append(e.value)
            added[L.SCHEMES] += 1
    loaded.stratum_schemes = tuple(schemes)
    for rel, table in (
        (L.MINERS, loaded.miner_process_names),
        (L.BENIGN_HEAVY, loaded.benign_heavy),
    ):
        for name, e in _names_with_exe(entries.get(rel, [])).items():
            if name not in table:
                table[name] = e
                added[rel] += not name.endswith(".exe") or e.value.endswith(".exe")
    return added


def override_dir(home: Path) -> Path:
    return signatures_home(home) / "override"


def read_override(home: Path) -> tuple[dict[str, list[Entry]], list[L.LineError]]:
    """Entries of the local override lists and the bad lines found (skipped)."""
    folder = override_dir(home)
    entries: dict[str, list[Entry]] = {}
    errors: list[L.LineError] = []
    for rel in L.TSV_LISTS:
        path = folder / rel
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(L.LineError(str(path), 0, f"unreadable: {exc}"))
            continue
        parsed = L.parse_tsv_list(rel, text, str(path))
        entries[rel] = parsed.entries
        errors.extend(parsed.errors)
    return entries, errors


def _empty_bundle(problems: list[LocalizedText]) -> LoadedBundle:
    rules = load_or_compile("file", {}, None)
    return LoadedBundle(
        version="0",
        source="none",
        rules_sha256="",
        file_rules=rules,
        memory_rules=rules,
        problems=problems,
    )


def _try(
    location: Path, source: str, cache: Path, problems: list[LocalizedText]
) -> LoadedBundle | None:
    try:
        return build_bundle(read_bundle(location), source, cache)
    except BundleError as exc:
        problems.append(_bilingual_problem(location, exc))
        return None
    except OSError as exc:
        problems.append(
            localized(
                "The signature bundle in {path} could not be read: {error}",
                path=str(location),
                error=str(exc),
            )
        )
        return None


def _bilingual_problem(location: Path, exc: BundleError) -> LocalizedText:
    """'The bundle in X was not used: <reason>' with the reason in the same language."""
    reason = _problem(exc)
    msgid = N_("The signature bundle in {path} was not used: {reason}")
    return LocalizedText(
        zh=gettext_in("zh", msgid).format(path=str(location), reason=reason.zh),
        en=msgid.format(path=str(location), reason=reason.en),
    )


def _builtin_version(location: Path) -> str:
    try:
        return read_manifest(read_bundle(location)).version
    except (BundleError, OSError):
        return "0"


def load_bundle(home: Path | None = None, builtin: Path | None = None) -> LoadedBundle:
    """The best usable bundle (see module docstring); never raises for a bad bundle."""
    from agent import paths

    home = Path(home) if home is not None else paths.home_dir()
    builtin = builtin or builtin_location()
    cache = rules_cache_dir(home)
    sig = signatures_home(home)
    problems: list[LocalizedText] = []
    loaded: LoadedBundle | None = None

    current = sig / "current"
    if current.exists():
        candidate = _try(current, SOURCE_COLLECTOR, cache, problems)
        if candidate is not None:
            if version_key(candidate.version) >= version_key(_builtin_version(builtin)):
                loaded = candidate
                _remember_good(current, sig / "last_good")
        elif (sig / "last_good").exists():
            loaded = _try(sig / "last_good", SOURCE_LAST_GOOD, cache, problems)
    if loaded is None:
        loaded = _try(builtin, SOURCE_BUILTIN, cache, problems)
    if loaded is None:
        loaded = _empty_bundle([])
    loaded.problems = problems + loaded.problems
    if os.environ.get(ENV_BUILTIN):
        loaded.problems.append(
            localized(
                N_("The built-in signatures were replaced by {path} ({variable})."),
                path=str(builtin),
                variable=ENV_BUILTIN,
            )
        )
    _merge_override(loaded, home)
    return loaded


def _merge_override(loaded: LoadedBundle, home: Path) -> None:
    entries, errors = read_override(home)
    for err in errors[:20]:
        loaded.problems.append(
            localized("Imported list, bad line skipped: {error}", error=str(err))
        )
    if len(errors) > 20:
        loaded.problems.append(
            localized("Imported lists: {count} more bad lines skipped", count=len(errors) - 20)
        )
    added = _add_lists(loaded, entries)
    loaded.override_counts = {k: v for k, v in added.items() if v}
    if loaded.override_counts:
        loaded.source = SOURCE_OVERRIDE


def _remember_good(current: Path, last_good: Path) -> None:
    """Keep a copy of a collector bundle that validated (skip when identical)."""
    try:
        files = read_bundle(current).files
        if last_good.exists():
            try:
                if read_bundle(last_good).files == files:
                    return
            except BundleError:
                pass
        write_folder_atomic(files, last_good)
    except (OSError, BundleError) as exc:
        log.warning("could not keep a copy of the last good bundle: %s", exc)


def install_bundle(files: dict[str, bytes], home: Path | None = None) -> LoadedBundle:
    """Validate a bundle received from the collector and make it ``current``.

    Raises BundleError (nothing on disk changed) when it is not valid.
    """
    from agent import paths

    home = Path(home) if home is not None else paths.home_dir()
    loaded = build_bundle(
        BundleFiles(dict(files), "collector bundle"), SOURCE_COLLECTOR, rules_cache_dir(home)
    )
    current = signatures_home(home) / "current"
    write_folder_atomic(files, current)
    _remember_good(current, signatures_home(home) / "last_good")
    return loaded
