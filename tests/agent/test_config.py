"""minecheck.toml: defaults, a valid deployment file, and clear errors for bad ones."""

from __future__ import annotations

import pytest

from agent.config import ConfigError, load_config, parse_config


def test_no_file_gives_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("MINECHECK_HOME", str(tmp_path))
    config = load_config()
    assert config.server.url is None and config.server.verify_tls is True
    assert config.source is None


def test_deployment_file_from_home(tmp_path, monkeypatch):
    monkeypatch.setenv("MINECHECK_HOME", str(tmp_path))
    (tmp_path / "minecheck.toml").write_text(
        '[server]\nurl = "https://collector.example/"\nenrollment_token = "abc"\n'
        'ca_bundle = "ca.pem"\n[ledger]\nlocation = "二号机房"\n[spool]\nmax_reports = 10\n',
        encoding="utf-8",
    )
    config = load_config()
    assert config.server.url == "https://collector.example"
    assert config.ledger.location == "二号机房"
    assert config.spool.max_reports == 10
    assert config.source.endswith("minecheck.toml")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[server\nurl=1", "TOML"),
        ('[server]\nurl = "ftp://x"', "server.url"),
        ("[spool]\nmax_reports = 0", "spool.max_reports"),
        ("[sever]\nurl = 'http://x'", "sever"),
    ],
)
def test_bad_files_name_the_file_and_the_problem(tmp_path, text, needle):
    path = tmp_path / "minecheck.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        parse_config(path)
    assert str(path) in str(err.value) and needle in str(err.value)


def test_explicit_missing_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match=r"not found|不存在"):
        load_config(tmp_path / "nope.toml")
