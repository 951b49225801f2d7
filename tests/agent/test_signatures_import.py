"""Importing a province's lists: plain, hosts-file and CSV (Chinese headers, GBK, UTF-8 BOM,
UTF-16), per-line errors with nothing good lost, idempotent re-import, merged on load."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.bundle import load_bundle
from agent.bundle.importer import classify, decode_text, import_files
from agent.bundle.lists import DOMAINS, IP_RANGES, PORTS


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_plain_list_with_comments_urls_and_host_port(tmp_path: Path) -> None:
    src = _write(
        tmp_path / "notice.txt",
        "\n".join(
            [
                "# 省通报 2026-11",
                "evil-pool.example.com",
                "stratum+tcp://xmr.bad-pool.example.net:3333   # seen on 3 PCs",
                "203.0.113.5:14444",
                "198.51.100.0/24",
                "2001:db8:5::/48",
                "[2001:db8::7]:3333",
                "",
                "not a domain!",
                "300.1.2.3",
                "127.0.0.1",
            ]
        ),
    )
    result = import_files([src], tmp_path / "home")
    assert result.added == {DOMAINS: 2, IP_RANGES: 4}
    assert [(e.line, e.path) for e in result.errors] == [
        (9, str(src)),
        (10, str(src)),
        (11, str(src)),
    ]
    assert "not a domain" in result.errors[0].reason
    b = load_bundle(tmp_path / "home")
    assert b.pool_domains.match("a.evil-pool.example.com").source == "import:notice.txt"
    assert b.pool_domains.match("xmr.bad-pool.example.net").note.startswith("url stratum+tcp")
    assert b.pool_ips.match("203.0.113.5").note == "port 14444"
    assert b.pool_ips.match("198.51.100.77") is not None
    assert b.pool_ips.match("2001:db8:5::9") is not None
    assert b.pool_ips.match("2001:db8::7") is not None
    assert b.source == "override" and b.base_source == "builtin" and b.problems == []


def test_reimport_is_idempotent(tmp_path: Path) -> None:
    src = _write(tmp_path / "l.txt", "a.example.com\n192.0.2.9\nA.EXAMPLE.COM.\n")
    first = import_files([src], tmp_path / "home")
    assert first.added_total == 2 and first.duplicates == 1
    second = import_files([src], tmp_path / "home")
    assert second.added_total == 0 and second.duplicates == 3
    text = (tmp_path / "home/signatures/override/pools/domains.txt").read_text()
    assert text.count("a.example.com") == 1


def test_hosts_file_form(tmp_path: Path) -> None:
    src = _write(
        tmp_path / "hosts",
        "\n".join(
            [
                "127.0.0.1 localhost",
                "0.0.0.0 pool.bad.example.com www.pool.bad.example.com  # blocked",
                "::1 ip6-localhost",
                "203.0.113.77 mine.bad.example.org",
            ]
        ),
    )
    result = import_files([src], tmp_path / "home")
    b = load_bundle(tmp_path / "home")
    assert b.pool_domains.match("pool.bad.example.com") is not None
    assert b.pool_domains.match("mine.bad.example.org") is not None
    assert b.pool_ips.match("203.0.113.77") is not None  # a public IP beside a name is kept
    assert b.pool_ips.match("0.0.0.0") is None
    assert [e.line for e in result.errors] == [1, 3]  # "localhost" names are not domains


def test_csv_with_chinese_headers_in_gbk(tmp_path: Path) -> None:
    csv_text = "\r\n".join(
        [
            "序号,域名,IP地址,端口,来源,备注",
            "1,pool.gbk-example.com,203.0.113.8,3333,省教育厅通报,门罗币矿池",
            "2,,203.0.113.9,abc,省教育厅通报,",
            "3,坏域名 空格,,,省教育厅通报,",
            "4,矿池.中国,,,省教育厅通报,国际化域名",
            "5,,,,,",
            "6,,not-an-ip,,省教育厅通报,",
        ]
    )
    src = _write(tmp_path / "通报.csv", csv_text, "gbk")
    result = import_files([src], tmp_path / "home")
    assert result.encodings[str(src)] == "gbk"
    assert result.added == {DOMAINS: 2, IP_RANGES: 2}
    assert sorted(e.line for e in result.errors) == [3, 4, 7]
    b = load_bundle(tmp_path / "home")
    entry = b.pool_domains.match("x.pool.gbk-example.com")
    assert (
        entry.source == "省教育厅通报" and "门罗币矿池" in entry.note and "port 3333" in entry.note
    )
    assert b.pool_domains.match("xn--btwv1w.xn--fiqs8s") is not None
    assert b.pool_ips.match("203.0.113.9").source == "省教育厅通报"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-8"])
def test_csv_type_value_columns_in_other_encodings(tmp_path: Path, encoding: str) -> None:
    delimiter = "\t" if encoding == "utf-16" else ","
    rows = [
        ["type", "value", "source", "note"],
        ["domain", "t.example.com", "prov", "x"],
        ["ip", "192.0.2.0/28", "prov", ""],
        ["port", "45700", "prov", "xmr"],
        ["ip", "t2.example.com", "prov", ""],
    ]
    src = _write(tmp_path / "list.csv", "\n".join(delimiter.join(r) for r in rows), encoding)
    result = import_files([src], tmp_path / "home")
    assert result.added == {DOMAINS: 1, IP_RANGES: 1, PORTS: 1}
    assert [e.line for e in result.errors] == [5]
    b = load_bundle(tmp_path / "home")
    assert 45700 in b.mining_ports and b.pool_ips.match("192.0.2.3") is not None


def test_csv_without_known_header_reads_first_column(tmp_path: Path) -> None:
    src = _write(tmp_path / "x.csv", "a1.example.com,foo\nb1.example.com,bar\n")
    assert import_files([src], tmp_path / "home").added == {DOMAINS: 2}


def test_unreadable_file_is_reported_and_others_imported(tmp_path: Path) -> None:
    good = _write(tmp_path / "g.txt", "ok.example.com\n")
    result = import_files([tmp_path / "missing.txt", good], tmp_path / "home")
    assert result.added == {DOMAINS: 1}
    assert result.errors[0].line == 0 and "cannot read" in result.errors[0].reason


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    src = _write(tmp_path / "g.txt", "ok.example.com\n")
    result = import_files([src], tmp_path / "home", dry_run=True)
    assert result.added == {DOMAINS: 1}
    assert not (tmp_path / "home" / "signatures").exists()


def test_damaged_override_line_is_skipped_with_a_problem(tmp_path: Path) -> None:
    src = _write(tmp_path / "g.txt", "ok.example.com\nok2.example.com\n")
    import_files([src], tmp_path / "home")
    path = tmp_path / "home/signatures/override/pools/domains.txt"
    path.write_text(path.read_text() + "garbage line without tabs\n")
    b = load_bundle(tmp_path / "home")
    assert b.pool_domains.match("ok2.example.com") is not None
    assert len(b.problems) == 1 and "domains.txt" in b.problems[0].en


def test_decode_text_detects_encodings() -> None:
    assert decode_text("域名".encode("gbk")) == ("域名", "gbk")
    assert decode_text("域名".encode("utf-8-sig")) == ("域名", "utf-8-sig")
    assert decode_text("域名".encode("utf-16")) == ("域名", "utf-16")
    assert decode_text(b"plain") == ("plain", "utf-8")


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("pool.example.com", DOMAINS),
        ("1.2.3.4", IP_RANGES),
        ("1.2.3.4:80", IP_RANGES),
        ("ethproxy+ssl://eth.example.com:5555", DOMAINS),
        ("10.0.0.1-10.0.0.9", IP_RANGES),
    ],
)
def test_classify(value: str, kind: str) -> None:
    assert classify(value)[0] == kind


@pytest.mark.parametrize(
    "value", ["", "localhost", "1.2.3", "host:99999", "::1", "http://", "a..b.com", "-bad-.com"]
)
def test_classify_rejects(value: str) -> None:
    with pytest.raises(ValueError):
        classify(value)
