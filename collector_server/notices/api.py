"""Notices API (JSON): register a notice with indicators, list notices and cases with due
dates. Auth: a bureau bearer token (`manage.py notice token`) or the dashboard session
(CSRF checked for session POSTs)."""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from collector_server.accounts.scoping import get_org_or_404, user_profile
from collector_server.notices import services
from collector_server.notices.access import is_bureau, visible_cases, visible_notices
from collector_server.notices.case_views import annotate
from collector_server.notices.models import ApiToken, CaseState, NoticeSource

MAX_BODY = 1024 * 1024
MAX_INDICATORS = 1000


def _error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"error": code, "detail": detail}, status=status)


def _authenticate(request: HttpRequest):
    """(user, None) or (None, error response). A bearer token wins over the session."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        from collector_server.ledger.models import hash_token

        row = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=hash_token(header[7:].strip()), revoked_at__isnull=True)
            .first()
        )
        if row is None or not row.user.is_active:
            return None, _error(401, "bad_token", "unknown or revoked token")
        return row.user, None
    if not request.user.is_authenticated:
        return None, _error(401, "unauthorized", "sign in or send a bearer token")
    if request.method == "POST":
        rejected = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if rejected is not None:
            return None, _error(403, "csrf", "CSRF check failed")
    return request.user, None


def _time(value, name: str):
    if value in (None, ""):
        return None
    parsed = parse_datetime(str(value)) if isinstance(value, str) else None
    if parsed is None:
        raise ValueError(f"{name} must be an ISO 8601 date-time")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _indicators(items) -> list[dict]:
    from django import forms

    from collector_server.notices.forms import clean_indicator_value

    if not isinstance(items, list) or not items or len(items) > MAX_INDICATORS:
        raise ValueError(f"indicators must be a list of 1..{MAX_INDICATORS} objects")
    out = []
    for n, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            raise ValueError(f"indicators[{n}] needs a string value")
        try:
            value = clean_indicator_value(item["value"])
        except forms.ValidationError as exc:
            raise ValueError(f"indicators[{n}]: {' '.join(exc.messages)}") from exc
        port = item.get("port")
        if port is not None and (
            not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535
        ):
            raise ValueError(f"indicators[{n}].port must be an integer 1..65535")
        out.append(
            {
                "value": value,
                "port": port,
                "observed_from": _time(item.get("observed_from"), "observed_from"),
                "observed_to": _time(item.get("observed_to"), "observed_to"),
            }
        )
    return out


def case_json(case) -> dict:
    return {
        "id": case.pk,
        "notice": {"id": case.notice_id, "number": case.notice.number},
        "organisation": {"id": case.organisation_id, "name": case.organisation.name},
        "state": case.state,
        "received_at": case.received_at.isoformat(),
        "locate_due": services.locate_due(case).isoformat(),
        "report_due": services.report_due(case).isoformat(),
        "flag": getattr(case, "flag", services.deadline_flag(case)),
    }


def _create(request: HttpRequest, user) -> JsonResponse:
    if not is_bureau(user):
        return _error(403, "forbidden", "only bureau staff may register notices")
    if len(request.body) > MAX_BODY:
        return _error(413, "too_large", "body larger than 1 MB")
    try:
        body = json.loads(request.body or b"null")
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        source = body.get("source", "other")
        if source not in NoticeSource.values:
            raise ValueError(f"source must be one of {', '.join(NoticeSource.values)}")
        number = body.get("number")
        if not isinstance(number, str) or not number.strip() or len(number) > 100:
            raise ValueError("number must be a non-empty string of at most 100 characters")
        received_at = _time(body.get("received_at"), "received_at") or timezone.now()
        indicators = _indicators(body.get("indicators"))
        note = body.get("note", "")
        if not isinstance(note, str):
            raise ValueError("note must be a string")
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        return _error(400, "bad_request", str(exc))
    if body.get("organisation") is not None:
        org = get_org_or_404(user, pk=body["organisation"])
    else:
        profile = user_profile(user)
        if profile is None:
            return _error(400, "bad_request", "give the organisation id")
        org = profile.organisation
    notice = services.register_notice(
        org,
        source=source,
        number=number.strip(),
        received_at=received_at,
        indicators=indicators,
        user=user,
        note=note,
    )
    cases = annotate(services.open_cases(notice, user=user))
    return JsonResponse(
        {
            "id": notice.pk,
            "number": notice.number,
            "indicators": [str(i) for i in notice.indicators.all()],
            "cases": [case_json(c) for c in cases],
        },
        status=201,
    )


@csrf_exempt
def notices(request: HttpRequest) -> JsonResponse:
    user, denied = _authenticate(request)
    if denied:
        return denied
    if request.method == "POST":
        return _create(request, user)
    if request.method != "GET":
        return _error(405, "method_not_allowed", "GET or POST")
    rows = visible_notices(user).prefetch_related("indicators")[:500]
    return JsonResponse(
        {
            "results": [
                {
                    "id": n.pk,
                    "number": n.number,
                    "source": n.source,
                    "received_at": n.received_at.isoformat(),
                    "indicators": [{"value": i.value, "port": i.port} for i in n.indicators.all()],
                }
                for n in rows
            ]
        }
    )


@csrf_exempt
def cases(request: HttpRequest) -> JsonResponse:
    user, denied = _authenticate(request)
    if denied:
        return denied
    if request.method != "GET":
        return _error(405, "method_not_allowed", "GET only")
    qs = visible_cases(user).order_by("received_at", "id")
    state = request.GET.get("state", "")
    if state:
        if state not in CaseState.values:
            return _error(400, "bad_request", f"state must be one of {', '.join(CaseState.values)}")
        qs = qs.filter(state=state)
    rows = annotate(qs[:2000])
    flag = request.GET.get("flag", "")
    if flag:
        rows = [c for c in rows if c.flag == flag]
    return JsonResponse({"count": len(rows), "results": [case_json(c) for c in rows]})
