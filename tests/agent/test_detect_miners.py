"""Miner-like fixture processes (real processes, real loopback pool) get `mining` with the
right evidence and the right active/passive call."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from agent.wire.report import MiningMode, Strength, VerdictStatus
from tests.fixtures.miners import launch
from tests.fixtures.miners.conftest_helpers import detect, kinds
from tests.fixtures.miners.pool import StratumPool

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="Linux /proc needed")


@pytest.fixture(scope="module")
def pool():
    with StratumPool() as p:
        yield p


@pytest.fixture
def home_dir():
    """A folder in the user's home (not a temp folder), removed afterwards."""
    d = Path(tempfile.mkdtemp(prefix="minecheck-test-", dir=os.path.expanduser("~")))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _url(pool) -> str:
    return f"stratum+tcp://127.0.0.1:{pool.port}"


def _run(pool, argv, root, *, logins_before, measure=True, **kw):
    proc = launch.spawn(argv, **kw)
    try:
        launch.wait_logged_in(pool, logins_before + 1)
        util = launch.measure([proc.pid], 0.5) if measure else None
        findings, verdict, ctx = detect([proc.pid], root, util)
        return proc.pid, findings, verdict, ctx, util
    finally:
        launch.stop(proc)


def _user_copy(home_dir) -> str:
    """The miner script in the user's own folder, wherever the checkout lies (even /tmp)."""
    return shutil.copy(launch.FAKE_MINER, home_dir / "xmrig.py")


def test_plain_command_line_is_active_mining(pool, tmp_path, home_dir):
    argv = [
        launch.PYTHON,
        _user_copy(home_dir),
        "-o",
        _url(pool),
        "-u",
        launch.WALLET,
        "--donate-level",
        "1",
    ]
    pid, findings, verdict, _, _ = _run(pool, argv, tmp_path, logins_before=len(pool.log.logins))
    assert verdict.status == VerdictStatus.mining
    assert verdict.mode == MiningMode.active
    cmd = [f for f in findings if f.kind == "miner_cmdline"]
    assert cmd and cmd[0].strength == Strength.strong and cmd[0].subject.pid == pid
    assert any(_url(pool) in e for e in cmd[0].evidence)
    assert any(launch.WALLET in e for e in cmd[0].evidence)
    assert "wallet:monero" in cmd[0].detail.en
    mem = [f for f in findings if f.kind == "yara_memory"]
    assert len(mem) == 1 and mem[0].strength == Strength.strong  # one finding per process
    assert "xmrig" in mem[0].title.en.lower()
    assert all(f.action.zh and f.action.en for f in findings)


def test_classic_stratum_protocol(pool, tmp_path, home_dir):
    before = pool.log.subscribes
    argv = [launch.PYTHON, _user_copy(home_dir), "-o", _url(pool), "-u", "worker.1", "-a", "kawpow"]
    _, _findings, verdict, _, _ = _run(
        pool,
        argv,
        tmp_path,
        logins_before=len(pool.log.logins),
        env={"FAKE_MINER_PROTOCOL": "classic"},
    )
    assert pool.log.subscribes > before
    assert verdict.status == VerdictStatus.mining and verdict.mode == MiningMode.active


def test_renamed_system_binary_in_hidden_temp_folder_is_passive(pool, tmp_path):
    exe = launch.copy_interpreter(tmp_path / ".X11-cache" / "sshd")
    argv = [exe, str(launch.FAKE_MINER), "-o", _url(pool), "-u", launch.WALLET]
    _, findings, verdict, _, _ = _run(pool, argv, tmp_path, logins_before=len(pool.log.logins))
    assert verdict.status == VerdictStatus.mining
    assert verdict.mode == MiningMode.passive
    hidden = [f for f in findings if f.kind == "hidden_location"]
    assert hidden and hidden[0].subject.exe == exe and hidden[0].passive_hint
    masq = [f for f in findings if f.kind == "masquerade_path"]
    assert masq and masq[0].evidence == [exe]  # sshd belongs in /usr/sbin
    assert "miner_cmdline" in kinds(findings, Strength.strong)


def test_config_only_miner_with_bare_ip_port(pool, home_dir, tmp_path):
    shutil.copy(launch.FAKE_MINER, home_dir / "xmr.py")
    (home_dir / "config.json").write_text(
        json.dumps(
            {
                "autosave": True,
                "donate-level": 1,
                "cpu": {"enabled": True},
                "pools": [
                    {
                        "url": f"127.0.0.1:{pool.port}",
                        "user": launch.WALLET,
                        "pass": "x",
                        "keepalive": True,
                        "tls": False,
                    }
                ],
            }
        )
    )
    argv = [launch.PYTHON, str(home_dir / "xmr.py")]
    pid, findings, verdict, _, _ = _run(
        pool, argv, tmp_path, cwd=home_dir, logins_before=len(pool.log.logins)
    )
    assert "miner_cmdline" not in kinds(findings)
    cfg = [f for f in findings if f.kind == "miner_config"]
    assert cfg and cfg[0].strength == Strength.strong
    assert cfg[0].rule == "config_pools_url_user"
    assert cfg[0].subject.file == str(home_dir / "config.json") and cfg[0].subject.pid == pid
    assert verdict.status == VerdictStatus.mining and verdict.mode == MiningMode.active


def test_kernel_thread_name_spoof_is_passive(pool, tmp_path):
    argv = [launch.PYTHON, str(launch.FAKE_MINER), "-o", _url(pool), "-u", launch.WALLET]
    _, findings, verdict, _, _ = _run(
        pool,
        argv,
        tmp_path,
        logins_before=len(pool.log.logins),
        argv0="[kworker/0:1]",
        executable=launch.PYTHON,
        env={"FAKE_MINER_COMM": "kworker/0:1"},
    )
    spoof = [f for f in findings if f.kind == "kernel_thread_spoof"]
    assert spoof and spoof[0].evidence[0] == "[kworker/0:1]"
    assert verdict.status == VerdictStatus.mining and verdict.mode == MiningMode.passive


def test_kernel_thread_comm_without_brackets_is_passive(pool, tmp_path):
    argv = [launch.PYTHON, str(launch.FAKE_MINER), "-o", _url(pool), "-u", "w"]
    _, findings, verdict, _, _ = _run(
        pool, argv, tmp_path, logins_before=len(pool.log.logins), env={"FAKE_MINER_COMM": "kswapd0"}
    )
    spoof = [f for f in findings if f.kind == "kernel_thread_spoof"]
    assert spoof and spoof[0].subject.process_name == "kswapd0"
    assert verdict.status == VerdictStatus.mining and verdict.mode == MiningMode.passive


def test_throttled_config_only_miner_is_found_in_memory(pool, home_dir, tmp_path):
    shutil.copy(launch.FAKE_MINER, home_dir / "helper.py")
    (home_dir / "config.json").write_text(
        json.dumps({"pools": [{"url": f"127.0.0.1:{pool.port}", "user": launch.WALLET}]})
    )
    argv = [launch.PYTHON, str(home_dir / "helper.py")]
    _, findings, verdict, _, util = _run(
        pool,
        argv,
        tmp_path,
        cwd=home_dir,
        logins_before=len(pool.log.logins),
        env={"FAKE_MINER_THROTTLE": "0.25"},
    )
    assert util.top_processes[0].cpu_percent < 60
    assert "yara_memory" in kinds(findings, Strength.strong)
    assert "high_load" not in kinds(findings)
    assert verdict.status == VerdictStatus.mining


@pytest.mark.parametrize("mechanism", ["cron", "systemd"])
def test_started_from_user_crontab_or_systemd_unit_is_passive(pool, tmp_path, mechanism):
    root = tmp_path / "root"
    argv = [launch.PYTHON, str(launch.FAKE_MINER), "-o", _url(pool), "-u", launch.WALLET, "-p", "x"]
    command = " ".join(argv)
    if mechanism == "cron":
        path = root / "var/spool/cron/crontabs/student"
        text = f"# m h dom mon dow command\n@reboot {command}\n"
    else:
        path = root / "home/student/.config/systemd/user/dbus-update.service"
        text = (
            f"[Unit]\nDescription=D-Bus update\n\n[Service]\nExecStart={command}\n"
            "Restart=always\n\n[Install]\nWantedBy=default.target\n"
        )
    path.parent.mkdir(parents=True)
    path.write_text(text)
    _, findings, verdict, _, _ = _run(pool, argv, root, logins_before=len(pool.log.logins))
    pers = [f for f in findings if f.kind == "persistence_miner"]
    assert pers and pers[0].subject.file == str(path) and pers[0].passive_hint
    assert pers[0].subject.persistence.startswith(mechanism)
    assert verdict.status == VerdictStatus.mining and verdict.mode == MiningMode.passive


def test_packed_miner_is_named_only_by_the_memory_scan(pool, tmp_path):
    hide = tmp_path / ".cache-x"
    exe = launch.copy_interpreter(hide / "gvfsd-helper")
    loader = hide / "update.py"
    launch.write_packed_miner(loader)
    on_disk = loader.read_bytes()
    for word in (b"XMRig", b"donate", b"stratum", b"randomx", b"pools"):
        assert word not in on_disk
    config = hide / "config.json"
    config.write_text(
        json.dumps({"pools": [{"url": f"127.0.0.1:{pool.port}", "user": launch.WALLET}]})
    )
    _, findings, verdict, ctx, _ = _run(
        pool,
        [exe, "update.py"],
        tmp_path,
        cwd=hide,
        logins_before=len(pool.log.logins),
        env={"FAKE_MINER_DELETE_CONFIG": "1"},
    )
    assert not config.exists()
    assert kinds(findings, Strength.strong) == {"yara_memory"}
    mem = next(f for f in findings if f.kind == "yara_memory")
    assert mem.signature_version and mem.evidence
    assert verdict.status == VerdictStatus.mining and verdict.mode == MiningMode.passive
    assert not ctx.errors


def test_connection_to_resolved_pool_domain_is_strong(pool, tmp_path):
    argv = [launch.PYTHON, str(launch.FAKE_MINER), "-o", f"127.0.0.1:{pool.port}", "-u", "w1"]

    def fake_resolver(names, budget):
        assert "supportxmr.com" in names  # the listed names are what gets resolved
        return {"supportxmr.com": ["127.0.0.1"]}

    before = len(pool.log.logins)
    proc = launch.spawn(argv)
    try:
        launch.wait_logged_in(pool, before + 1)
        findings, verdict, _ = detect([proc.pid], tmp_path, None, resolver=fake_resolver)
    finally:
        launch.stop(proc)
    conn = [f for f in findings if f.kind == "pool_connection"]
    assert conn and conn[0].subject.remote == f"127.0.0.1:{pool.port}"
    assert verdict.status == VerdictStatus.mining


def test_wrapper_advice_never_says_delete_a_system_program(pool, tmp_path, home_dir):
    """A miner started through `timeout` must not get "delete /usr/bin/timeout"."""
    argv = [
        "/usr/bin/timeout",
        "60",
        launch.PYTHON,
        _user_copy(home_dir),
        "-o",
        _url(pool),
        "-u",
        launch.WALLET,
    ]
    pid, findings, _verdict, _, _ = _run(pool, argv, tmp_path, logins_before=len(pool.log.logins))
    cmd = [f for f in findings if f.kind == "miner_cmdline" and f.subject.pid == pid]
    assert cmd and cmd[0].subject.exe == "/usr/bin/timeout"
    for f in findings:
        for text in (f.action.en, f.action.zh):
            assert "/usr/bin/timeout" not in text or "not delete" in f.action.en
    assert "Stop the process tree" in cmd[0].action.en and "进程树" in cmd[0].action.zh


def test_the_linux_memory_reader_and_yaras_own_scanner_agree(pool, platform_as):
    """agent.platform.linux reads the chosen regions of /proc/PID/mem; other systems
    (agent.platform.generic) leave it to YARA's own process scanner, which reads it all."""
    from agent.detect.scan_memory import scan_process_memory
    from tests.fixtures.miners.bundles import detection_bundle

    rules = detection_bundle().memory_rules
    before = len(pool.log.logins)
    proc = launch.spawn(
        [launch.PYTHON, str(launch.FAKE_MINER), "-o", _url(pool), "-u", launch.WALLET]
    )
    try:
        launch.wait_logged_in(pool, before + 1)
        platform_as("linux")
        chosen = scan_process_memory(proc.pid, rules, launch.PYTHON)
        platform_as("generic")
        whole = scan_process_memory(proc.pid, rules, launch.PYTHON)
    finally:
        launch.stop(proc)
    assert chosen.error is None and whole.error is None
    assert chosen.rules and set(chosen.rules) <= set(whole.rules)
    assert chosen.scanned_bytes > 0 and whole.scanned_bytes == 0  # YARA reads it itself
