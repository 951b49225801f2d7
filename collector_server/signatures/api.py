"""Agent API of signature distribution (device-token auth, like /api/v1/config)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from agent.wire.api import BundleInfo
from collector_server.http.errors import bearer, error
from collector_server.ledger.api import refused_token
from collector_server.ledger.services import authenticate_device
from collector_server.signatures.bundles import latest_bundle
from collector_server.signatures.models import SignatureBundle


def bundle_info(bundle: SignatureBundle) -> BundleInfo:
    return BundleInfo(
        **{
            "version": bundle.version,
            "sha256": bundle.sha256,
            "size": bundle.size,
            "signature": bundle.signature,
            "created_at": bundle.created_at.isoformat(),
            "url": f"/api/v1/signatures/{bundle.version}/archive",
        }
    )


@require_GET
def latest(request: HttpRequest) -> JsonResponse:
    if authenticate_device(bearer(request)) is None:
        return refused_token(bearer(request))
    bundle = latest_bundle()
    if bundle is None:
        return error(404, "no_bundle", "no signature bundle was published on this collector")
    return JsonResponse(bundle_info(bundle).json_body())


@require_GET
def archive(request: HttpRequest, version: str) -> HttpResponse:
    if authenticate_device(bearer(request)) is None:
        return refused_token(bearer(request))
    bundle = SignatureBundle.objects.filter(version=version).first()
    if bundle is None:
        return error(404, "no_bundle", f"no signature bundle {version}")
    response = HttpResponse(bytes(bundle.archive), content_type="application/gzip")
    response["Content-Length"] = str(bundle.size)
    response["X-Minecheck-Signature"] = bundle.signature
    response["Content-Disposition"] = f'attachment; filename="signatures-{bundle.version}.tar.gz"'
    return response
