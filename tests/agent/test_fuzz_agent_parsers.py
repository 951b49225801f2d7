"""Property tests on agent parsers: config TOML and pool lists give a result or a clear error."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.bundle import lists as L
from agent.bundle.importer import classify
from agent.config import ConfigError, parse_config

EXAMPLES = int(os.environ.get("MINECHECK_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
TOML_LINES = st.sampled_from(
    [
        "[server]",
        'url = "http://127.0.0.1:1"',
        "[ledger]",
        "url = 5",
        "x = [",
        'token = "\\u0000"',
        "= 1",
        "[[a]]",
    ]
)


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=500),
        st.lists(TOML_LINES, max_size=6).map(lambda ls: "\n".join(ls).encode()),
    )
)
def test_config_toml_parses_or_refuses(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("cfg") / "minecheck.toml"
    path.write_bytes(raw)
    try:
        parse_config(path)
    except ConfigError as exc:
        assert str(exc)


@FUZZ
@given(st.sampled_from(L.TSV_LISTS), st.text(max_size=400))
def test_pool_lists_parse_with_line_errors(kind, text):
    parsed = L.parse_tsv_list(kind, text)
    assert isinstance(parsed, L.ParsedList)


@FUZZ
@given(st.text(max_size=80))
def test_import_classify_gives_kind_or_value_error(value):
    try:
        classify(value)
    except ValueError as exc:
        assert str(exc)
