"""Talking to something that is not a working collector: the person gets one sentence in
their language with the next step, never "HTTP 401: …" or "ConnectionError: HTTPConnection-
Pool(…)", and a 200 from a web page that is not the collector never deletes a report."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from agent import i18n
from agent.config import ServerConfig
from agent.transport import problems
from agent.transport.client import CollectorClient, Outcome
from agent.transport.enrollment import EnrollmentError, enroll
from agent.transport.spool import Spool
from agent.transport.uploader import RetryPolicy, flush

RAW = ("HTTPConnectionPool", "ConnectionError", "JSONDecodeError", "Traceback", "HTTP 4")


@pytest.fixture
def zh():
    before = i18n.get_language()
    i18n.set_language("zh_CN")
    yield
    i18n.set_language(before)


class _Portal(BaseHTTPRequestHandler):
    """A captive portal / wrong web server: 200 and an HTML page to everything."""

    status = 200

    def _page(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = "<html><body>请登录上网</body></html>".encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _page

    def log_message(self, *args):
        pass


@pytest.fixture
def portal():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spool(tmp_path) -> Spool:
    spool = Spool(tmp_path / "spool", 10, 10_000_000)
    spool.put("r1", b'{"report_id": "r1"}')
    return spool


def _no_raw(text: str) -> None:
    assert not any(raw in text for raw in RAW), text


def test_a_200_html_page_never_acknowledges_a_report(tmp_path, portal, zh):
    spool = _spool(tmp_path)
    client = CollectorClient(ServerConfig(url=portal), "device-token")
    result = flush(spool, client, RetryPolicy(attempts=1, deadline_seconds=5))
    assert result.sent == [] and [i.report_id for i in spool.items()] == ["r1"]
    assert "不是 minecheck 汇总服务器" in result.last_error and portal in result.last_error
    _no_raw(result.last_error)


def test_enrolling_at_a_web_page_says_it_is_not_a_collector(tmp_path, portal, zh):
    server = ServerConfig(url=portal, enrollment_token="t")
    with pytest.raises(EnrollmentError) as err:
        enroll(tmp_path, server, {})
    assert "不是 minecheck 汇总服务器" in str(err.value)
    _no_raw(str(err.value))


def test_nothing_listening_says_check_the_address_and_keeps_the_report(tmp_path, zh):
    url = f"http://127.0.0.1:{_closed_port()}"
    spool = _spool(tmp_path)
    result = flush(
        spool,
        CollectorClient(ServerConfig(url=url), "t"),
        RetryPolicy(attempts=1, deadline_seconds=5),
    )
    assert [i.report_id for i in spool.items()] == ["r1"]
    assert url in result.last_error and "[server] url" in result.last_error
    assert "没有服务应答" in result.last_error
    _no_raw(result.last_error)


def test_tls_to_a_plain_http_server_is_a_certificate_problem(portal, zh):
    answer = CollectorClient(ServerConfig(url=portal.replace("http:", "https:"))).config()
    assert answer.problem == "tls"
    assert "ca_bundle" in problems.describe(answer, portal)


def test_a_collector_that_does_not_answer_in_time(zh):
    with socket.socket() as listener:  # accepts, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        answer = CollectorClient(ServerConfig(url=url, read_timeout=0.3)).config()
    assert answer.outcome is Outcome.retry and answer.problem == "timeout"
    assert "没有及时应答" in problems.describe(answer, url)


def test_enrolling_without_an_address_names_the_flag_and_the_files_looked_for(tmp_path, zh):
    with pytest.raises(EnrollmentError) as err:
        enroll(tmp_path, ServerConfig(enrollment_token="t"), {})
    text = str(err.value)
    assert "--server" in text and "minecheck.toml" in text and "汇总服务器地址" in text


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("enrollment_refused", "新的登记令牌"),
        ("token_revoked", "吊销"),
        ("invalid_report", "退回"),
    ],
)
def test_collector_error_codes_become_next_steps(code, words, zh):
    from agent.transport.client import Answer

    answer = Answer(Outcome.rejected, 401, None, "technical detail", {"error": code})
    text = problems.describe(answer, "https://collector.example")
    assert words in text
    _no_raw(text)


def test_name_resolution_failures_are_told_apart():
    exc = requests.exceptions.ConnectionError(
        "HTTPSConnectionPool(host='x.invalid', port=443): Max retries exceeded (Caused by "
        "NameResolutionError(\"Failed to resolve 'x.invalid' ([Errno -2] Name or service not "
        'known)"))'
    )
    assert problems.network_problem(exc) == "dns"


def test_signature_update_from_an_unreachable_collector_gives_a_reason_to_act_on(tmp_path, zh):
    from agent.cli.update_signatures import describe as describe_update
    from agent.config import AgentConfig
    from agent.transport import credentials
    from agent.transport.agent_state import AgentState
    from agent.transport.bundle_update import update

    url = f"http://127.0.0.1:{_closed_port()}"
    creds = credentials.Credentials(server_url=url, device_token="t")
    result = update(AgentState(tmp_path, AgentConfig(), creds))
    assert result.status == "unreachable"
    text = describe_update(result)
    assert "没有服务应答" in text and url in text
    _no_raw(text)
