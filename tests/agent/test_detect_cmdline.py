"""Command-line and config analysis: what counts as miner evidence and what must not."""

from __future__ import annotations

import base64
import json

import pytest

from agent.detect.cmdline import analyze_text, host_of, strongest, wallet_kind
from agent.detect.locations import hidden_location
from agent.detect.scan_configs import analyze_config_text
from agent.wire.report import Strength
from tests.fixtures.miners.bundles import detection_bundle
from tests.fixtures.miners.launch import WALLET

B = detection_bundle()


@pytest.mark.parametrize(
    "line",
    [
        f"xmrig -o stratum+tcp://1.2.3.4:3333 -u {WALLET}",
        "./t-rex -a kawpow -o stratum2+tcp://10.0.0.5:4444 -u RVN.worker",
        "miner --url=10.1.1.1:14444 --user=w --donate-level=0",
        "PhoenixMiner.exe -epool 10.0.0.1:4444 -ewal 0x52908400098527886E0F7030069857D2E4169EE7",
        "lolMiner --algo ETHASH --pool 10.0.0.1:3333 --user 0x52908400098527886E0F7030069857D2E4169EE7",  # noqa: E501
        "nanominer -o ethproxy+tcp://eth.example.net:4444",
        "srb --cpu-max-threads-hint 50 -o 10.0.0.1:3333",
        "x -o pool.supportxmr.com:443 -u someone",
    ],
)
def test_miner_command_lines_are_strong(line):
    assert strongest(analyze_text(line, B)) == Strength.strong, analyze_text(line, B)


@pytest.mark.parametrize(
    "line",
    [
        "kubectl get pods -o pool.yaml",
        "gcc pool.c -o pool",
        "zpool import -c /etc/zfs/zpool.cache tank",
        "curl -o index.html https://shop.notbtc.com/",
        "ssh -o StrictHostKeyChecking=no -u admin 10.0.0.1",
        "python train.py --algo adam -u 3",
        "chrome --disable-gpu --user-data-dir=/tmp/x",
        "docker run -p 3333:3333 -u 1000 image",
        "java -jar app.jar --server 10.0.0.1:8080 -u admin",
        "echo hello world | base64 -d | sh",
    ],
)
def test_ordinary_command_lines_are_clean(line):
    assert analyze_text(line, B) == []


def test_powershell_encoded_command_is_decoded():
    inner = "Start-Process C:\\Users\\Public\\x.exe -ArgumentList '-o 1.2.3.4:3333 -u w -a rx/0'"
    enc = base64.b64encode(inner.encode("utf-16-le")).decode()
    signals = analyze_text(f"powershell -nop -w hidden -EncodedCommand {enc}", B)
    assert strongest(signals) == Strength.strong and all(s.decoded for s in signals)


def test_base64_pipe_to_shell_is_decoded():
    enc = base64.b64encode(b"/tmp/.x/kdevtmpfsi -o stratum+tcp://5.6.7.8:80 -u w").decode()
    signals = analyze_text(f"sh -c 'echo {enc} | base64 -d | bash'", B)
    assert any(s.kind == "stratum_url" and s.decoded for s in signals)


def test_wallets_count_only_in_context():
    assert wallet_kind(WALLET) == "monero"
    assert wallet_kind(WALLET + ".rig1") == "monero"
    assert wallet_kind("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq") == "bitcoin_bech32"
    assert wallet_kind("0x52908400098527886E0F7030069857D2E4169EE7") == "ethereum"
    assert analyze_text(f"echo {WALLET}", B) == []  # a bare address is no evidence
    assert strongest(analyze_text(f"app -u {WALLET}", B)) == Strength.strong


def test_host_of_forms():
    assert host_of("stratum+ssl://W.x@pool.example.com:443/") == ("pool.example.com", 443)
    assert host_of("10.0.0.1:3333") == ("10.0.0.1", 3333)
    assert host_of("pool.yaml") is None


def test_config_structure_without_scheme_is_strong():
    text = json.dumps({"pools": [{"url": "45.9.148.21:80", "user": "x1", "pass": "x"}]})
    assert analyze_config_text(text, B)[:2] == (Strength.strong, "config_pools_url_user")
    assert analyze_config_text(json.dumps({"pools": [{"name": "a"}]}), B)[0] is None
    assert analyze_config_text('{"name": "app", "version": 2}', B)[0] is None
    bat = "@echo off\r\nstart /min xmrig.exe -o 10.0.0.1:3333 -u w --donate-level 1\r\n"
    assert analyze_config_text(bat, B)[0] == Strength.strong


@pytest.mark.parametrize(
    ("path", "hidden"),
    [
        ("/tmp/x/miner", True),
        ("/dev/shm/k", True),
        ("/home/u/.x11/sshd", True),
        ("/home/u/.cache/kdevtmpfsi/k", True),
        ("/work/.venv/bin/python", False),
        ("/home/u/.local/bin/tool", False),
        ("/usr/bin/python3", False),
        ("C:\\Users\\a\\AppData\\Roaming\\svchost.exe", True),
        ("C:\\ProgramData\\x\\y.exe", True),
        ("C:\\Program Files\\Game\\game.exe", False),
        ("memfd:payload (deleted)", True),
    ],
)
def test_hidden_locations(path, hidden):
    assert bool(hidden_location(path)) is hidden
