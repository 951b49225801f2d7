"""Read API of the ledger for signed-in dashboard users (session auth), scoped like the pages."""

from __future__ import annotations

from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from collector_server.accounts.scoping import get_device_or_404, visible_devices
from collector_server.api.paging import MAX_LIMIT, MAX_OFFSET
from collector_server.ledger.models import Device

LIST_FIELDS = ("id", "hostname", "organisation_id", "organisation__name", "location",
               "department", "responsible_person", "asset_tag", "public_ip", "high_performance",
               "last_verdict", "last_seen")



def _bounded_int(text: str, low: int, high: int) -> int:
    """``text`` as a decimal integer within low..high, else ValueError."""
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise ValueError(text)
    value = int(text)
    if not low <= value <= high:
        raise ValueError(text)
    return value


def _login_required(request: HttpRequest) -> JsonResponse | None:
    if not request.user.is_authenticated:
        return JsonResponse({"error": "unauthorized", "detail": "sign in first"}, status=401)
    return None


def device_json(device: Device) -> dict:
    return {
        "id": device.pk,
        "fingerprint": device.fingerprint,
        "hostname": device.hostname,
        "organisation": {"id": device.organisation_id, "name": device.organisation.name},
        "location": device.location,
        "department": device.department,
        "responsible_person": device.responsible_person,
        "responsible_phone": device.responsible_phone,
        "asset_tag": device.asset_tag,
        "status": device.status,
        "ip_addresses": device.ip_addresses,
        "macs": device.macs,
        "public_ip": device.public_ip,
        "high_performance": device.high_performance,
        "high_performance_reason": device.high_performance_reason,
        "cpu_model": device.cpu_model,
        "gpu_models": device.gpu_models,
        "memory_mb": device.memory_mb,
        "last_verdict": device.last_verdict,
        "last_mode": device.last_mode,
        "first_seen": device.first_seen.isoformat() if device.first_seen else None,
        "last_seen": device.last_seen.isoformat() if device.last_seen else None,
        "hardware": device.hardware,
    }


@require_GET
def device_list(request: HttpRequest) -> JsonResponse:
    denied = _login_required(request)
    if denied:
        return denied
    try:
        offset = _bounded_int(request.GET.get("offset", "0"), 0, MAX_OFFSET)
        limit = _bounded_int(request.GET.get("limit", "100"), 1, MAX_LIMIT)
    except ValueError:
        return JsonResponse({"error": "bad_request", "detail": (
            f"offset must be an integer 0..{MAX_OFFSET} and limit an integer 1..{MAX_LIMIT}")},
            status=400)
    qs = visible_devices(request.user).order_by("id")
    rows = list(qs.values(*LIST_FIELDS)[offset:offset + limit])
    for row in rows:
        row["organisation"] = row.pop("organisation__name")
        row["last_seen"] = row["last_seen"].isoformat() if row["last_seen"] else None
    return JsonResponse({"count": qs.count(), "offset": offset, "results": rows},
                        json_dumps_params={"ensure_ascii": False})


@require_GET
def device_detail(request: HttpRequest, device_id: int) -> JsonResponse:
    denied = _login_required(request)
    if denied:
        return denied
    try:
        device = get_device_or_404(request.user, pk=device_id)
    except Http404:
        return JsonResponse({"error": "not_found", "detail": "no such device"}, status=404)
    return JsonResponse(device_json(device), json_dumps_params={"ensure_ascii": False})
