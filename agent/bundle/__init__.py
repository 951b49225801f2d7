"""Signature bundle: loading, validation, compiled-rule cache, matchers, overrides.

CONTRACT (the detection engine relies on these names):
    load_bundle(home: Path | None = None) -> LoadedBundle
        Loads the best bundle: the newest valid one under ``home`` (collector-pushed or
        local override merged over the shipped default), falling back to the last good one,
        then to the shipped default. Never raises for a bad bundle: the problem is in
        ``LoadedBundle.problems``.
    LoadedBundle:
        version: str
        source: str                       # builtin / override / collector (/ last_good)
        rules_sha256: str
        problems: list[LocalizedText]     # why a newer bundle was not used
        file_rules: yara.Rules            # file scope (may use uint16(0)/filesize)
        memory_rules: yara.Rules          # memory scope (no header/filesize/offsets)
        rule_meta(rule_name) -> dict       # family, kind, severity, scope, description_zh/en
        pool_domains: DomainMatcher       # .match(hostname) -> Entry | None (label boundary)
        pool_ips: IPMatcher               # .match(ip) -> Entry | None (single IPs and ranges)
        mining_ports: dict[int, Entry]
        stratum_schemes: tuple[str, ...]
        miner_process_names: dict[str, Entry]   # lower-case exe name -> entry
        system_binaries: dict[str, list[str]]   # lower-case name -> legitimate dirs
        benign_heavy: dict[str, Entry]          # lower-case name -> entry
    Entry: value, source, family/tag (frozen dataclass)

Also: own_paths() / own_files() / is_own_path() (the agent's own bundle files and rule cache,
never to be reported), install_bundle() (validate and store a collector-pushed bundle).
"""

from agent.bundle.entries import Entry
from agent.bundle.files import BundleError
from agent.bundle.loader import LoadedBundle, builtin_location, install_bundle, load_bundle
from agent.bundle.matchers import DomainMatcher, IPMatcher
from agent.bundle.own import is_own_path, own_files, own_paths

__all__ = [
    "BundleError",
    "DomainMatcher",
    "Entry",
    "IPMatcher",
    "LoadedBundle",
    "builtin_location",
    "install_bundle",
    "is_own_path",
    "load_bundle",
    "own_files",
    "own_paths",
]
