"""Device fingerprint: junk filtering, MAC filtering, stability and clone separation."""

from __future__ import annotations

import pytest

from agent.collectors import identity as identity_mod
from agent.collectors.base import ScanContext
from agent.collectors.fingerprint import (
    clean_serial,
    clean_uuid,
    fingerprint,
    identity_parts,
    is_identity_mac,
    normalize_mac,
)
from agent.wire.report import IdentityParts, NICInfo

UUID = "4C4C4544-0042-4810-8052-B4C04F4E3132"


@pytest.mark.parametrize(
    "junk",
    [
        "To be filled by O.E.M.",
        "Default string",
        "System Serial Number",
        "None",
        "0",
        "",
        "   ",
        "0000000000",
        "FFFFFFFF",
        "Not Specified",
        "To Be Filled By O.E.M.",
        "N/A",
        "Chassis Serial Number",
        "\x00\x00",
        "123456789",
        "..........",
        None,
    ],
)
def test_junk_serials_are_dropped(junk) -> None:
    assert clean_serial(junk) is None


def test_real_serials_survive_and_are_normalised() -> None:
    assert clean_serial("  PF2ABCDE ") == "PF2ABCDE"
    assert clean_serial("MB-1234 5678") == "MB-1234 5678"
    assert clean_serial("CN0ABC12345") == "CN0ABC12345"


@pytest.mark.parametrize(
    "junk",
    [
        "00000000-0000-0000-0000-000000000000",
        "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
        "03000200-0400-0500-0006-000700080009",
        "not-a-uuid",
        "",
        None,
    ],
)
def test_junk_uuids_are_dropped(junk) -> None:
    assert clean_uuid(junk) is None


def test_uuid_is_lower_cased_and_braces_removed() -> None:
    assert clean_uuid("{" + UUID + "}") == UUID.lower()


@pytest.mark.parametrize(
    ("mac", "ok"),
    [
        ("d4:5d:64:1a:2b:3c", True),  # burned-in (ASUS OUI)
        ("02:42:ac:11:00:02", False),  # docker: locally administered
        ("02:fc:00:00:00:01", False),  # locally administered
        ("9e:1f:00:11:22:33", False),  # randomised Wi-Fi (locally administered bit)
        ("01:00:5e:00:00:fb", False),  # multicast
        ("00:00:00:00:00:00", False),
        ("ff:ff:ff:ff:ff:ff", False),
        ("00:50:56:c0:00:08", False),  # VMware virtual adapter
        ("08:00:27:aa:bb:cc", False),  # VirtualBox
        ("00:15:5d:01:02:03", False),  # Hyper-V
        (None, False),
    ],
)
def test_identity_macs(mac, ok) -> None:
    assert is_identity_mac(mac) is ok


def test_mac_formats() -> None:
    assert normalize_mac("D4-5D-64-1A-2B-3C") == "d4:5d:64:1a:2b:3c"
    assert normalize_mac("d45d.641a.2b3c") == "d4:5d:64:1a:2b:3c"
    assert normalize_mac("d4:5d:64") is None


def parts(board="MB123456789", system="PF2ABCDE", macs=("d4:5d:64:1a:2b:3c", "a8:a1:59:00:11:22")):
    return identity_parts(UUID, board, system, list(macs))


def test_same_parts_in_any_mac_order_give_the_same_fingerprint() -> None:
    a = parts(macs=("d4:5d:64:1a:2b:3c", "a8:a1:59:00:11:22"))
    b = parts(macs=("A8-A1-59-00-11-22", "d4:5d:64:1a:2b:3c", "02:42:ac:11:00:02"))
    assert a.macs == b.macs == ["a8:a1:59:00:11:22", "d4:5d:64:1a:2b:3c"]
    assert fingerprint(a) == fingerprint(b)


def test_clone_with_other_board_serial_differs() -> None:
    assert fingerprint(parts(board="MB123456789")) != fingerprint(parts(board="MB987654321"))


def test_clones_with_junk_serials_and_same_uuid_placeholder_differ_by_mac() -> None:
    # cheap café boards: all serials junk, the placeholder UUID; only the NIC tells them apart
    a = identity_parts(
        "03000200-0400-0500-0006-000700080009",
        "Default string",
        "To be filled by O.E.M.",
        ["d4:5d:64:1a:2b:3c"],
    )
    b = identity_parts(
        "03000200-0400-0500-0006-000700080009",
        "Default string",
        "To be filled by O.E.M.",
        ["d4:5d:64:1a:2b:3d"],
    )
    assert a.system_uuid is None and a.board_serial is None and a.system_serial is None
    assert fingerprint(a) != fingerprint(b)


def test_junk_values_do_not_change_the_fingerprint() -> None:
    clean = identity_parts(UUID, None, None, ["d4:5d:64:1a:2b:3c"])
    junk = identity_parts(
        UUID, "Default string", "System Serial Number", ["d4:5d:64:1a:2b:3c", "00:00:00:00:00:00"]
    )
    assert fingerprint(clean) == fingerprint(junk)


def test_fallback_only_when_no_hardware_part() -> None:
    empty = IdentityParts()
    assert fingerprint(empty, "machine-a") != fingerprint(empty, "machine-b")
    hw = parts()
    assert fingerprint(hw, "machine-a") == fingerprint(hw, "machine-b")  # re-image: same


def test_collect_identity_uses_only_physical_macs_and_never_the_hostname(
    monkeypatch, fake_platform
) -> None:
    raw = identity_mod.RawIdentity(
        system_uuid=UUID,
        board_serial="Default string",
        system_serial="PF2ABCDE",
        manufacturer="To be filled by O.E.M.",
        product="MS-7C02",
        machine_id="3d1219c7c4c5404aaa1f6d2a48adfda4",
    )
    fake_platform.identity = raw
    nics = [
        NICInfo(name="enp3s0", mac="d4:5d:64:1a:2b:3c", physical=True),
        NICInfo(name="docker0", mac="02:42:11:22:33:44", physical=False),
        NICInfo(name="vboxnet0", mac="0a:00:27:00:00:00", physical=False),
    ]
    ctx = ScanContext()
    ident = identity_mod.collect_identity(ctx, nics)
    assert ident.parts.macs == ["d4:5d:64:1a:2b:3c"]
    assert ident.parts.board_serial is None and ident.manufacturer is None
    assert ident.product == "MS-7C02"
    monkeypatch.setattr(identity_mod.socket, "gethostname", lambda: "other-name")
    again = identity_mod.collect_identity(ScanContext(), nics)
    assert again.fingerprint == ident.fingerprint and again.hostname == "other-name"
    assert ctx.limitations == []


def test_no_hardware_identity_falls_back_to_machine_id(
    monkeypatch, tmp_path, fake_platform
) -> None:
    monkeypatch.setenv("MINECHECK_HOME", str(tmp_path))
    fake_platform.identity = identity_mod.RawIdentity(machine_id="ab" * 16)
    ctx = ScanContext()
    ident = identity_mod.collect_identity(ctx, [])
    assert ident.fingerprint == fingerprint(IdentityParts(), "ab" * 16)
    assert len(ctx.limitations) == 1
    # nothing at all: a random id kept in the agent home, stable across runs
    fake_platform.identity = identity_mod.RawIdentity()
    first = identity_mod.collect_identity(ScanContext(), [])
    second = identity_mod.collect_identity(ScanContext(), [])
    assert first.fingerprint == second.fingerprint != ident.fingerprint
    assert (tmp_path / "device-id").exists()


def test_usb_nic_left_out_unless_it_is_the_only_one(monkeypatch) -> None:
    from agent.collectors.nics import NicKindInfo

    monkeypatch.setattr(
        identity_mod,
        "nic_kinds",
        lambda: {"wlx0013ef": NicKindInfo(True, None, "00:13:ef:12:34:56", usb=True)},
    )
    onboard = NICInfo(name="enp3s0", mac="d4:5d:64:1a:2b:3c", physical=True)
    dongle = NICInfo(name="wlx0013ef", mac="00:13:ef:12:34:56", physical=True)
    assert identity_mod.identity_macs([onboard, dongle]) == ["d4:5d:64:1a:2b:3c"]
    assert identity_mod.identity_macs([dongle]) == ["00:13:ef:12:34:56"]


@pytest.fixture
def linux_dmi(monkeypatch, tmp_path, fake_platform):
    """collect_identity on a platform that caches identity parts (Linux's rule) with the
    given raw DMI reading; the agent home in tmp."""
    monkeypatch.setenv("MINECHECK_HOME", str(tmp_path / "home"))
    fake_platform.caches_identity = True
    monkeypatch.setattr(
        identity_mod.identity_cache.paths, "system_home", lambda: tmp_path / "system"
    )

    def run(raw, nics, privileged):
        fake_platform.identity = raw
        ctx = ScanContext(privileged=privileged)
        return identity_mod.collect_identity(ctx, nics), ctx

    return run


ONBOARD = NICInfo(name="enp3s0", mac="d4:5d:64:1a:2b:3c", physical=True)
FULL = identity_mod.RawIdentity(
    system_uuid=UUID, board_serial="MB123456789", system_serial="PF2ABCDE"
)
DENIED = identity_mod.RawIdentity(denied=("product_uuid", "board_serial", "product_serial"))


def test_run_without_root_keeps_the_fingerprint_of_a_root_run(linux_dmi) -> None:
    as_root, ctx = linux_dmi(FULL, [ONBOARD], privileged=True)
    assert ctx.limitations == []
    as_user, ctx = linux_dmi(DENIED, [ONBOARD], privileged=False)
    assert as_user.fingerprint == as_root.fingerprint
    assert as_user.parts.system_uuid == UUID.lower() and ctx.limitations == []


def test_without_root_and_without_cache_says_so(linux_dmi) -> None:
    ident, ctx = linux_dmi(DENIED, [ONBOARD], privileged=False)
    assert ident.parts.system_uuid is None and ident.parts.macs == ["d4:5d:64:1a:2b:3c"]
    (limit,) = ctx.limitations
    assert "product_uuid" in limit.en and "root" in limit.en and limit.zh != limit.en


def test_cache_copied_to_a_cloned_pc_is_ignored(linux_dmi) -> None:
    master, _ = linux_dmi(FULL, [ONBOARD], privileged=True)
    clone_nic = NICInfo(name="enp3s0", mac="d4:5d:64:1a:2b:3d", physical=True)
    clone, ctx = linux_dmi(DENIED, [clone_nic], privileged=False)
    assert clone.parts.system_uuid is None and clone.fingerprint != master.fingerprint
    assert len(ctx.limitations) == 1


def test_unprivileged_run_writes_no_cache(linux_dmi, tmp_path) -> None:
    linux_dmi(FULL, [ONBOARD], privileged=False)
    assert not (tmp_path / "home" / "identity-cache.json").exists()
    linux_dmi(FULL, [ONBOARD], privileged=True)
    assert (tmp_path / "home" / "identity-cache.json").exists()
