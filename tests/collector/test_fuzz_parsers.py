"""Property tests on the parsers: any input is accepted or refused cleanly, never a crash.

CI runs a few examples each; `make fuzz` runs many (MINECHECK_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from agent.wire.report import Report
from tests.collector.factories import make_identity, make_report

EXAMPLES = int(os.environ.get("MINECHECK_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
BASE = make_report(make_identity("fuzz"), findings=1).model_dump(mode="json")

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
)


def _paths(node, prefix=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield (*prefix, i)
            yield from _paths(value, (*prefix, i))


PATHS = list(_paths(BASE))


def _set(doc, path, value):
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PATHS), json_scalars), min_size=1, max_size=4))
def test_report_json_mutations_validate_or_refuse(mutations):
    doc = json.loads(json.dumps(BASE))
    for path, value in mutations:
        try:
            _set(doc, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation replaced a parent
    raw = json.dumps(doc)  # NaN/Infinity tokens included
    try:
        report = Report.model_validate_json(raw)
    except ValidationError:
        return
    # what is accepted round-trips and is storable: no NUL, aware times
    again = Report.model_validate_json(report.model_dump_json())
    assert again.report_id == report.report_id
    assert "\\u0000" not in report.model_dump_json()
    assert report.started_at.utcoffset() is not None


@FUZZ
@given(st.binary(max_size=2000))
def test_report_json_random_bytes_refused_cleanly(raw):
    with pytest.raises(ValidationError):
        Report.model_validate_json(raw)


@FUZZ
@given(st.binary(max_size=3000))
def test_csv_import_reads_or_refuses(django_dbs, tmp_path_factory, raw):
    from collector_server.ledger.excel import ImportFileError, read_table

    path = tmp_path_factory.mktemp("csv") / "in.csv"
    path.write_bytes(raw)
    try:
        table = read_table(path)
    except ImportFileError:
        return
    assert all(isinstance(c, str) for row in table for c in row)


@FUZZ
@given(st.binary(max_size=3000))
def test_xlsx_import_random_bytes_refused(django_dbs, tmp_path_factory, raw):
    from collector_server.ledger.excel import ImportFileError, read_table

    path = tmp_path_factory.mktemp("xlsx") / "in.xlsx"
    path.write_bytes(raw)
    with pytest.raises(ImportFileError):
        read_table(path)
