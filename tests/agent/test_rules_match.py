"""Real YARA matching of the shipped rules: synthetic miner executables and memory images
match; documents, source code, the project's own files and shell histories that mention
miners never match."""

from __future__ import annotations

from pathlib import Path

import pytest
import yara

from tests.agent.test_rules_samples import (
    FAMILY_STRINGS,
    executable,
    live_login_session,
    memory_image,
)

ROOT = Path(__file__).resolve().parents[2]
YARA_DIR = ROOT / "signatures" / "yara"

README_TEXT = """
# XMRig
XMRig is a high performance, open source RandomX, KawPow, CryptoNight and GhostRider CPU/GPU
miner. Example: xmrig -o stratum+tcp://pool.supportxmr.com:3333 -u WALLET -p x -k --coin monero
  -a, --algo=ALGO               mining algorithm https://xmrig.com/docs/algorithms
      --coin=COIN               specify coin instead of algorithm
  -o, --url=URL                 URL of mining server
      --rig-id=ID               rig identifier for pool-side statistics (needs pool support)
      --nicehash                enable nicehash.com support
      --donate-level=N          donate level, default 1%% (1 minute in 100 minutes)
      --donate-over-proxy=N     control donate over xmrig-proxy feature
      --cpu-max-threads-hint=N  maximum CPU threads count (in percentage) hint for autoconfig
      --cpu-memory-pool=N       number of 2 MB pages for persistent memory pool
      --randomx-1gb-pages       use 1GB hugepages for RandomX dataset (Linux only)
      --randomx-wrmsr=N         write custom value(s) to MSR registers or disable MSR mod
      --pause-on-battery        pause mine on battery power
 * ABOUT        XMRig/6.21.0 gcc/12.2.0
 * HUGE PAGES   supported
 * POOL #1      pool.supportxmr.com:3333 algo rx/0
config.json: {"pools": [{"url": "gulf.moneroocean.stream:10128", "user": "4AbC", "keepalive": true,
 "rig-id": null, "nicehash": false, "tls": false}], "donate-level": 1,
 "randomx": {"1gb-pages": true}}
Protocol: {"id": 1, "method": "mining.subscribe", "params": []}
{"id": 2, "method": "mining.authorize", "params": ["worker", "x"]} mining.notify mining.submit
T-Rex, lolMiner, PhoenixMiner -epool eu1.ethermine.org:4444 -ewal 0xabc -epsw x, NBMiner,
GMiner --server eth.2miners.com --port 2020, teamredminer --eth_config=A, SRBMiner-MULTI
--disable-gpu --cpu-threads 4, excavator algorithm.add worker.add, eth_submitLogin eth_getWork
"""

SHELL_HISTORY = """
kubectl get pods -o pool.yaml
kubectl get deploy -o wide
gcc pool.c -o pool
zpool status; cat /etc/zfs/zpool.cache
python train.py --workers 8 --pool-size 4
ssh admin@viabtc.com.example.org
grep -r donate-level ~/Downloads/xmrig-6.21.0/README.md
cat ~/Downloads/xmrig-6.21.0/config.json
"""


def _compile(scope: str) -> yara.Rules:
    return yara.compile(
        sources={p.stem: p.read_text("utf-8") for p in (YARA_DIR / scope).glob("*.yar")}
    )


@pytest.fixture(scope="module")
def file_rules() -> yara.Rules:
    return _compile("file")


@pytest.fixture(scope="module")
def memory_rules() -> yara.Rules:
    return _compile("memory")


def _families(matches: list) -> set[str]:
    return {m.meta["family"] for m in matches}


@pytest.mark.parametrize("family", sorted(FAMILY_STRINGS))
@pytest.mark.parametrize("kind", ["elf", "mz"])
def test_file_rules_name_each_miner_executable(file_rules, family: str, kind: str) -> None:
    matches = file_rules.match(data=executable(family, kind))
    assert family in _families(matches)
    assert all(m.meta["scope"] == "file" for m in matches)


@pytest.mark.parametrize("family", sorted(FAMILY_STRINGS))
def test_memory_rules_name_each_running_miner(memory_rules, family: str) -> None:
    matches = memory_rules.match(data=memory_image(family))
    assert family in _families(matches)


def test_file_rules_need_the_header(file_rules) -> None:
    """The same strings without an executable header (a document) match no file rule."""
    blob = executable("xmrig")
    assert file_rules.match(data=b"\x00\x00" + blob[2:]) == []
    assert file_rules.match(data=memory_image("xmrig")) == []


def test_memory_rule_finds_a_miner_whose_file_has_no_strings(file_rules, memory_rules) -> None:
    """A packed miner: nothing on disk, everything in memory."""
    plain = executable("xmrig")
    packed = b"\x7fELF" + bytes(60) + bytes(b ^ 0x5A for b in plain)  # "encrypted" on disk
    assert file_rules.match(data=packed) == []
    assert memory_rules.match(data=packed) == []
    assert "xmrig" in _families(memory_rules.match(data=memory_image("xmrig")))


def test_live_login_session_is_named(memory_rules) -> None:
    names = {m.rule for m in memory_rules.match(data=live_login_session())}
    assert "minecheck_mem_stratum_login_session" in names


def _negative_corpus() -> list[tuple[str, bytes]]:
    corpus = [
        ("readme", README_TEXT.encode()),
        ("history", SHELL_HISTORY.encode()),
        ("readme-utf16", README_TEXT.encode("utf-16-le")),
    ]
    for folder in ("docs", "tests", "signatures", "agent"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in {".md", ".py", ".yar", ".txt", ".csv", ".json"}:
                corpus.append((str(path.relative_to(ROOT)), path.read_bytes()))
    corpus.append(("README.md", (ROOT / "README.md").read_bytes()))
    return corpus


def test_documents_and_sources_match_no_rule(file_rules, memory_rules) -> None:
    corpus = _negative_corpus()
    assert len(corpus) > 20
    hits = []
    for name, data in corpus:
        for rules in (file_rules, memory_rules):
            hits += [(name, m.rule) for m in rules.match(data=data)]
    assert hits == []


def test_an_editor_showing_all_documents_at_once_matches_no_memory_rule(memory_rules) -> None:
    """One buffer holding every document above (an editor or browser with many tabs)."""
    blob = b"\n".join(data for _name, data in _negative_corpus())
    assert memory_rules.match(data=blob) == []


def test_shell_history_files_match_nothing(tmp_path: Path, file_rules, memory_rules) -> None:
    history = tmp_path / ".bash_history"
    history.write_text(SHELL_HISTORY)
    assert file_rules.match(str(history)) == []
    assert memory_rules.match(str(history)) == []


def interpreter_heap(text: str) -> bytes:
    """What an editor, a browser or a script holding ``text`` word by word has in memory:
    each token as its own string object, zero bytes before (header) and after (terminator,
    padding), so a NUL-terminated word alone proves nothing."""
    import re

    tokens: set[str] = set()
    for raw in text.split():
        tokens.add(raw)
        for part in re.split(r"[=,:;\"'\[\]{}()<>`]+", raw):
            if part:
                tokens.update({part, part.lstrip("-")})
    out = bytearray()
    for tok in sorted(tokens):
        data = tok.encode("utf-8", "replace")
        out += b"\x00" * 8 + data + b"\x00" * (8 - len(data) % 8)
    return bytes(out)


def strong(matches: list) -> list[str]:
    """Rules that count as strong evidence (severity medium or high)."""
    return [m.rule for m in matches if m.meta["severity"] in ("medium", "high")]


def test_memory_rules_ignore_documents_held_word_by_word(memory_rules) -> None:
    """The README, the shell history and the project's own docs as a tokenising editor or a
    browser holds them: every miner word present as a NUL-terminated string, and still no
    strong rule matches, because those also require printf templates or constants that only
    a program contains. The GPU-family rules have no such anchor and are severity low (weak
    evidence) for exactly this reason."""
    docs = "\n".join(p.read_text("utf-8") for p in sorted((ROOT / "docs").glob("*.md")))
    heap = interpreter_heap(README_TEXT + SHELL_HISTORY + docs)
    assert b"cpu-max-threads-hint\x00" in heap and b"mining.subscribe\x00" in heap
    matches = memory_rules.match(data=heap)
    assert strong(matches) == []
    assert all(m.meta["family"] not in ("xmrig", "cpuminer", "cgminer") for m in matches)
