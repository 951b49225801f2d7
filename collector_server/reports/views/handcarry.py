"""The hand-carry page: import hand-carried report files, decide the held ones."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from collector_server.accounts.permissions import bureau_only
from collector_server.accounts.scoping import visible_orgs
from collector_server.reports.handcarry import (
    HELD_NEW_DEVICE,
    HELD_NO_KEY,
    HELD_OTHER_KEY,
    HandcarryRefused,
    decide_held,
    held_for,
    import_handcarry,
)

# The refusals of agent.wire.handcarry.verify and of the import, for the page's language.
REASONS = {
    "the report was changed after it was written (hash mismatch)": gettext_lazy(
        "the report was changed after it was written (hash mismatch)"
    ),
    "the report was changed after it was written (bad signature)": gettext_lazy(
        "the report was changed after it was written (bad signature)"
    ),
    "the enrollment token does not match (forged or wrong bureau)": gettext_lazy(
        "the enrollment token does not match (forged or wrong bureau)"
    ),
    "not a minecheck hand-carry file (unknown format)": gettext_lazy(
        "not a minecheck hand-carry file (unknown format)"
    ),
    HELD_OTHER_KEY: gettext_lazy("signed with a key this computer did not enroll with"),
    HELD_NO_KEY: gettext_lazy("no hand-carry key is known for this computer yet"),
    HELD_NEW_DEVICE: gettext_lazy(
        "a computer not in the ledger, and the file carries no enrollment token"
    ),
    "this file was already decided": gettext_lazy("this file was already decided"),
    "this computer is not in the ledger yet and the file carries no enrollment token: choose "
    "the organisation it belongs to": gettext_lazy(
        "this computer is not in the ledger yet and the file carries no enrollment "
        "token: choose the organisation it belongs to"
    ),
}


def translated(reason: object) -> str:
    text = str(reason)
    for english, local in REASONS.items():
        if english in text:
            return text.replace(english, str(local)).replace("refused: ", "")
    return text


@bureau_only
def handcarry_page(request: HttpRequest) -> HttpResponse:
    orgs = visible_orgs(request.user)
    if request.method == "POST":
        org = None
        if request.POST.get("organisation"):
            org = orgs.filter(pk=request.POST["organisation"]).first()
        files = request.FILES.getlist("file")
        if not files:
            messages.error(request, _("Choose a file to import."))
        for upload in files:
            try:
                result = import_handcarry(upload.read(), org, allowed_orgs=orgs, user=request.user)
            except HandcarryRefused as exc:
                messages.error(
                    request,
                    _("%(file)s was not imported: %(reason)s")
                    % {"file": upload.name, "reason": translated(exc)},
                )
                continue
            if result.held is not None:
                messages.warning(
                    request,
                    _("%(file)s was held for review, not applied: %(reason)s.")
                    % {"file": upload.name, "reason": translated(result.held.reason)},
                )
            elif result.duplicate:
                messages.info(
                    request,
                    _("%(file)s: this report was already imported.") % {"file": upload.name},
                )
            else:
                messages.success(
                    request,
                    _("%(file)s imported for %(device)s.")
                    % {"file": upload.name, "device": result.device},
                )
        return redirect("reports:handcarry")
    return render(
        request,
        "reports/handcarry.html",
        {
            "orgs": orgs,
            "nav": "handcarry",
            "held": held_for(orgs),
        },
    )


@bureau_only
@require_POST
def handcarry_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept (apply) or reject a held hand-carry file; the decision is recorded."""
    held = get_object_or_404(held_for(visible_orgs(request.user)), pk=pk)
    accept = request.POST.get("decision") == "accept"
    try:
        result = decide_held(held, accept=accept, user=request.user)
    except HandcarryRefused as exc:
        messages.error(
            request,
            _("%(file)s was not imported: %(reason)s")
            % {"file": held.hostname, "reason": translated(exc)},
        )
        return redirect("reports:handcarry")
    if result is None:
        messages.success(
            request,
            _("Rejected: the file from %(host)s stays out of the ledger.")
            % {"host": held.hostname},
        )
    else:
        messages.success(
            request,
            _("%(file)s imported for %(device)s.")
            % {"file": held.hostname, "device": result.device},
        )
    return redirect("reports:handcarry")
