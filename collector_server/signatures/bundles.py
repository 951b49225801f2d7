"""Building signed signature bundles: the shipped default bundle plus every accepted import,
validated with the agent's own bundle checks, packed as tar.gz (manifest.json holds the
sha256 of each file) and signed with the collector's Ed25519 key over the archive bytes."""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yara
from django.db import IntegrityError, transaction

from agent.wire.bundle import (
    DOMAINS,
    IP_RANGES,
    MANIFEST,
    PORTS,
    BundleError,
    BundleFiles,
    build_manifest,
    manifest_bytes,
    next_version,
    read_manifest,
    version_key,
)
from agent.wire.bundle import pack_archive as _pack_archive
from agent.wire.bundle_checks import check_bundle, import_list_files, override_dir, shipped_bundle
from collector_server.signatures import keys
from collector_server.signatures.models import ImportKind, SignatureBundle, SignatureImport

IMPORTED_LISTS = (DOMAINS, IP_RANGES, PORTS)
RULE_SUFFIXES = (".yar", ".yara")
MAX_IMPORT_BYTES = 20 * 1024 * 1024


class ImportRefused(Exception):
    """The file cannot be imported; the message says why (nothing was changed)."""


@dataclass
class ImportOutcome:
    record: SignatureImport | None
    bundle: SignatureBundle | None
    added: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    duplicates: int = 0


def default_bundle() -> tuple[dict[str, bytes], str]:
    """The shipped default bundle's files (manifest excluded) and its version."""
    bundle = shipped_bundle()
    version = read_manifest(bundle).version
    return {k: v for k, v in bundle.files.items() if k != MANIFEST}, version


def _rule_scope(text: str) -> str:
    match = re.search(r'\bscope\s*=\s*"(file|memory)"', text)
    return match.group(1) if match else "file"


def _safe_name(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(name).stem)[:60] or "rules"
    return stem


def _apply_list_imports(
    imports: list[SignatureImport], home: Path
) -> tuple[dict[str, str], object | None]:
    """Replay list imports into ``home``'s override folder with the agent's importer.
    Returns the override list texts and the last import's result."""
    result = None
    incoming = home / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    for row in imports:
        path = incoming / f"{row.pk or 'new'}-{Path(row.filename).name or 'list.txt'}"
        path.write_bytes(bytes(row.content))
        result = import_list_files([path], home, source=row.note or f"import:{row.filename}")
    folder = override_dir(home)
    texts = {}
    for rel in IMPORTED_LISTS:
        if (folder / rel).is_file():
            texts[rel] = (folder / rel).read_text(encoding="utf-8")
    return texts, result


def compose(imports: list[SignatureImport]) -> tuple[dict[str, bytes], object | None]:
    """Default bundle files + imported list entries + imported rule files."""
    files, _version = default_bundle()
    with tempfile.TemporaryDirectory(prefix="minecheck-sig-") as tmp:
        texts, last = _apply_list_imports(
            [i for i in imports if i.kind == ImportKind.lists], Path(tmp)
        )
    for rel, text in texts.items():
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
        if lines:
            base = files.get(rel, b"").decode("utf-8")
            if base and not base.endswith("\n"):
                base += "\n"
            files[rel] = (base + "# imported on the collector\n" + "\n".join(lines) + "\n").encode(
                "utf-8"
            )
    for index, row in enumerate(i for i in imports if i.kind == ImportKind.rules):
        text = bytes(row.content)
        scope = _rule_scope(text.decode("utf-8", "replace"))
        files[f"yara/{scope}/imported/{index + 1:03d}_{_safe_name(row.filename)}.yar"] = text
    return files, last


def pack_archive(files: dict[str, bytes]) -> bytes:
    """Deterministic tar.gz (sorted names, mtime 0) of ``files``."""
    return _pack_archive(files)


def validate(files: dict[str, bytes], version: str) -> tuple[dict[str, bytes], dict]:
    """Add the manifest and run the agent's full bundle check (lists, lint, YARA compile)."""
    manifest = build_manifest(files, version)
    complete = {**files, MANIFEST: manifest_bytes(manifest)}
    try:
        counts = check_bundle(BundleFiles(complete, f"bundle {version}"))
    except BundleError as exc:
        raise ImportRefused(str(exc)) from exc
    return complete, counts


def next_bundle_version() -> str:
    versions = [default_bundle()[1]]
    versions += list(SignatureBundle.objects.values_list("version", flat=True))
    newest = max(versions, key=version_key)
    candidate = next_version(newest)
    if version_key(candidate) <= version_key(newest):  # newest is from a later date
        head, _, tail = newest.rpartition(".")
        candidate = f"{head}.{int(tail) + 1}" if tail.isdigit() else f"{newest}.1"
    return candidate


def latest_bundle() -> SignatureBundle | None:
    return SignatureBundle.objects.order_by("-created_at", "-id").first()


def build_and_store(imports: list[SignatureImport], notes: str, user=None) -> SignatureBundle:
    files, _last = compose(imports)
    for _attempt in range(3):
        version = next_bundle_version()
        complete, counts = validate(files, version)
        archive = pack_archive(complete)
        try:
            with transaction.atomic():
                return SignatureBundle.objects.create(
                    version=version,
                    created_by=user,
                    sha256=hashlib.sha256(archive).hexdigest(),
                    signature=keys.sign(archive),
                    size=len(archive),
                    archive=archive,
                    notes=notes,
                    source_files=[i.filename for i in imports],
                    counts=counts,
                )
        except IntegrityError:
            continue  # another import took this version number at the same moment
    raise ImportRefused("could not allocate a bundle version; try again")


def detect_kind(filename: str, data: bytes) -> str:
    if filename.lower().endswith(RULE_SUFFIXES):
        return ImportKind.rules
    return ImportKind.lists


def import_file(filename: str, data: bytes, note: str = "", user=None) -> ImportOutcome:
    """Import one list or rule file and build the next signed bundle from it.

    Raises ImportRefused (nothing stored) for a file that adds nothing usable or breaks the
    bundle; a list file's bad lines are skipped and reported."""
    if not data.strip():
        raise ImportRefused(f"{filename}: the file is empty")
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused(f"{filename}: larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB")
    kind = detect_kind(filename, data)
    previous = list(
        SignatureImport.objects.filter(bundle__isnull=False).order_by("created_at", "id")
    )
    record = SignatureImport(
        kind=kind,
        filename=Path(filename).name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        note=note[:500],
        created_by=user,
    )
    outcome = ImportOutcome(record, None)
    if kind == ImportKind.rules:
        try:
            yara.compile(source=data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ImportRefused(f"{filename}: not UTF-8 text") from exc
        except yara.Error as exc:
            raise ImportRefused(f"{filename}: the YARA rules do not compile: {exc}") from exc
        if any(bytes(p.content) == data for p in previous if p.kind == ImportKind.rules):
            raise ImportRefused(f"{filename}: these rules were already imported")
        outcome.added = {"rules": 1}
    else:
        _files, last = compose([*previous, record])
        if last is not None:
            outcome.added = dict(last.added)
            outcome.duplicates = last.duplicates
            outcome.problems = [f"{record.filename}:{e.line}: {e.reason}" for e in last.errors][
                :200
            ]
        if not sum(outcome.added.values()):
            reason = "no new domain, IP address or port in it"
            if outcome.duplicates:
                reason = f"all {outcome.duplicates} entries are already in the bundle"
            elif outcome.problems:
                reason = f"no usable line ({outcome.problems[0]})"
            raise ImportRefused(f"{filename}: {reason}")
    record.added = outcome.added
    record.problems = outcome.problems
    with transaction.atomic():
        bundle = build_and_store([*previous, record], note or record.filename, user)
        record.bundle = bundle
        record.save()
    outcome.bundle = bundle
    return outcome
