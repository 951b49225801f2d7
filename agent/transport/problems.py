"""What went wrong talking to the collector, said to a person: in their language, with the
next step, never a raw exception or "HTTP 401: …" (the technical detail goes to the log)."""

from __future__ import annotations

import requests

from agent.i18n import N_, _

# Answer.problem values for failures that never reached an HTTP answer.
NETWORK_PROBLEMS = {
    "dns": N_(
        "the collector's name {host} could not be resolved: check the address in "
        "minecheck.toml ([server] url) and this computer's DNS settings"
    ),
    "refused": N_(
        "nothing answers at {url}: check that the collector is running and that the "
        "address and port in minecheck.toml ([server] url) are right"
    ),
    "timeout": N_(
        "the collector at {url} did not answer in time: check the network "
        "connection (firewall, proxy) or try again later"
    ),
    "tls": N_(
        "the collector's certificate at {url} could not be verified: set [server] "
        "ca_bundle in minecheck.toml to the bureau's CA file, or ask the bureau"
    ),
    "proxy": N_(
        "the proxy refused the connection to {url}: check [server] proxy in minecheck.toml"
    ),
    "bad_url": N_(
        "{url} is not a valid collector address: write it as "
        "https://host[:port] in minecheck.toml ([server] url)"
    ),
    "network": N_("the collector at {url} could not be reached: check the network connection"),
    "not_collector": N_(
        "the service at {url} is not a minecheck collector (its answer is not "
        "the collector's): check the address in minecheck.toml ([server] url)"
    ),
}

# The collector's error codes (body "error") -> what to do.
ERROR_CODES = {
    "token_revoked": N_(
        "the collector revoked this computer's device token: enroll it again (`minecheck enroll`)"
    ),
    "unauthorized": N_(
        "the collector does not accept this computer's device token: enroll it "
        "again (`minecheck enroll`)"
    ),
    "no_token": N_("this computer is not enrolled: run `minecheck enroll` first"),
    "enrollment_refused": N_(
        "the collector refused the enrollment token (wrong, expired, "
        "used up or revoked): ask the bureau or school for a new one"
    ),
    "invalid_enrollment": N_(
        "the collector could not accept this computer's enrollment "
        "({detail}): tell the bureau, and include this message"
    ),
    "invalid_report": N_(
        "the collector refused the report as invalid ({detail}); it is kept "
        "in the rejected folder: tell the bureau, and include this message"
    ),
    "fingerprint_mismatch": N_(
        "the report names another computer than the one this device "
        "token belongs to: enroll this computer again"
    ),
    "busy": N_("the collector is busy: the reports stay here and are sent later"),
    "no_bundle": N_("the collector has no signature bundle to give yet"),
}

BY_STATUS = {
    401: "unauthorized",
    403: "unauthorized",
    413: N_("the report is too large for the collector even after trimming: tell the bureau"),
    429: "busy",
    503: "busy",
}


def network_problem(exc: requests.RequestException) -> str:
    """The Answer.problem name for a request that got no HTTP answer."""
    text = str(exc).lower()
    if isinstance(exc, requests.exceptions.SSLError):
        return "tls"
    if isinstance(exc, requests.exceptions.ProxyError):
        return "proxy"
    if isinstance(exc, requests.exceptions.Timeout):
        return "timeout"
    if isinstance(
        exc,
        (
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
        ),
    ):
        return "bad_url"
    if isinstance(exc, requests.exceptions.ConnectionError):
        if any(
            s in text
            for s in (
                "name or service not known",
                "nodename nor servname",
                "getaddrinfo",
                "name resolution",
                "no address associated",
                "temporary failure in name",
            )
        ):
            return "dns"
        if "refused" in text or "10061" in text:
            return "refused"
    return "network"


def describe(answer, url: str) -> str:
    """One sentence for a person about a failed exchange (``answer``: client.Answer)."""
    from urllib.parse import urlsplit

    problem = getattr(answer, "problem", "")
    host = urlsplit(url).hostname or url
    if problem in NETWORK_PROBLEMS:
        return _(NETWORK_PROBLEMS[problem]).format(url=url, host=host)
    body = answer.body if isinstance(answer.body, dict) else {}
    detail = answer.message or ""
    code = str(body.get("error") or "")
    if code in ERROR_CODES:
        return _(ERROR_CODES[code]).format(detail=detail)
    by_status = BY_STATUS.get(answer.status or 0)
    if by_status in ERROR_CODES:
        return _(ERROR_CODES[by_status]).format(detail=detail)
    if by_status:
        return _(by_status)
    if answer.status and answer.status >= 500:
        return _(
            "the collector had an internal error (HTTP {status}); the reports stay here "
            "and are sent later; if it lasts, tell the bureau"
        ).format(status=answer.status)
    if answer.status:
        return _(
            "the collector refused the request (HTTP {status}: {detail}): tell the "
            "bureau, and include this message"
        ).format(status=answer.status, detail=detail[:200])
    return _(NETWORK_PROBLEMS["network"]).format(url=url, host=host)
