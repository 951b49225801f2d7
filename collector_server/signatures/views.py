"""The signature page for bureau staff: import province lists / rule files, publish bundles."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from collector_server.accounts.permissions import bureau_only
from collector_server.accounts.scoping import scope_devices
from collector_server.ledger.models import Device
from collector_server.signatures.bundles import ImportRefused, import_file
from collector_server.signatures.keys import public_key_b64
from collector_server.signatures.models import SignatureBundle, SignatureImport


@bureau_only
def signatures_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a file to import."))
        else:
            try:
                outcome = import_file(
                    upload.name, upload.read(), request.POST.get("note", "").strip(), request.user
                )
            except ImportRefused as exc:
                messages.error(request, _("Import refused: %(reason)s") % {"reason": exc})
            else:
                messages.success(
                    request,
                    _(
                        "Signature bundle %(version)s published: %(added)s new entries, "
                        "%(bad)s bad lines skipped."
                    )
                    % {
                        "version": outcome.bundle.version,
                        "added": sum(outcome.added.values()),
                        "bad": len(outcome.problems),
                    },
                )
                for problem in outcome.problems[:20]:
                    messages.warning(request, problem)
        return redirect("signatures:signatures")
    bundles = SignatureBundle.objects.defer("archive")[:50]
    imports = (
        SignatureImport.objects.defer("content")
        .select_related("bundle")
        .order_by("-created_at")[:50]
    )
    versions = (
        scope_devices(Device.objects.all(), request.user)
        .values("signature_version")
        .order_by("signature_version")
    )
    counts = versions.annotate(n=Count("id"))
    return render(
        request,
        "signatures/signatures.html",
        {
            "bundles": bundles,
            "imports": imports,
            "version_counts": counts,
            "public_key": public_key_b64(),
            "nav": "signatures",
        },
    )
