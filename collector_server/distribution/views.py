"""Pages for bureau staff: import province lists / rule files, import hand-carried reports,
and the list of devices that stopped reporting."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from collector_server.accounts.models import Role
from collector_server.accounts.scoping import user_profile, visible_devices, visible_orgs
from collector_server.distribution.bundles import ImportRefused, import_file
from collector_server.distribution.handcarry import (
    HELD_NEW_DEVICE,
    HELD_NO_KEY,
    HELD_OTHER_KEY,
    HandcarryRefused,
    decide_held,
    held_for,
    import_handcarry,
)
from collector_server.distribution.keys import public_key_b64
from collector_server.distribution.models import SignatureBundle, SignatureImport
from collector_server.distribution.stale import silent_for, stale_devices

BUREAU_ROLES = {Role.bureau_admin, Role.bureau_staff}


# The refusals of agent.wire.handcarry.verify and of the import, for the page's language.
REASONS = {
    "the report was changed after it was written (hash mismatch)":
        gettext_lazy("the report was changed after it was written (hash mismatch)"),
    "the report was changed after it was written (bad signature)":
        gettext_lazy("the report was changed after it was written (bad signature)"),
    "the enrollment token does not match (forged or wrong bureau)":
        gettext_lazy("the enrollment token does not match (forged or wrong bureau)"),
    "not a minecheck hand-carry file (unknown format)":
        gettext_lazy("not a minecheck hand-carry file (unknown format)"),
    HELD_OTHER_KEY: gettext_lazy("signed with a key this computer did not enroll with"),
    HELD_NO_KEY: gettext_lazy("no hand-carry key is known for this computer yet"),
    HELD_NEW_DEVICE: gettext_lazy(
        "a computer not in the ledger, and the file carries no enrollment token"),
    "this file was already decided": gettext_lazy("this file was already decided"),
    "this computer is not in the ledger yet and the file carries no enrollment token: choose "
    "the organisation it belongs to":
        gettext_lazy("this computer is not in the ledger yet and the file carries no enrollment "
              "token: choose the organisation it belongs to"),
}


def translated(reason: object) -> str:
    text = str(reason)
    for english, local in REASONS.items():
        if english in text:
            return text.replace(english, str(local)).replace("refused: ", "")
    return text


def base_template() -> str:
    """The dashboard's layout when that app is installed, else a plain one."""
    try:
        get_template("dashboard/base.html")
        return "dashboard/base.html"
    except TemplateDoesNotExist:
        return "distribution/standalone.html"


def bureau_only(view):
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        profile = user_profile(request.user)
        if not request.user.is_superuser and (profile is None or profile.role not in BUREAU_ROLES):
            raise PermissionDenied(_("Only bureau staff may do this."))
        return view(request, *args, **kwargs)
    return wrapper


def _render(request: HttpRequest, name: str, context: dict) -> HttpResponse:
    return render(request, name, {"base_template": base_template(), **context})


@bureau_only
def signatures_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a file to import."))
        else:
            try:
                outcome = import_file(upload.name, upload.read(),
                                      request.POST.get("note", "").strip(), request.user)
            except ImportRefused as exc:
                messages.error(request, _("Import refused: %(reason)s") % {"reason": exc})
            else:
                messages.success(request, _(
                    "Signature bundle %(version)s published: %(added)s new entries, "
                    "%(bad)s bad lines skipped."
                ) % {"version": outcome.bundle.version, "added": sum(outcome.added.values()),
                     "bad": len(outcome.problems)})
                for problem in outcome.problems[:20]:
                    messages.warning(request, problem)
        return redirect("distribution:signatures")
    bundles = SignatureBundle.objects.defer("archive")[:50]
    imports = SignatureImport.objects.defer("content").select_related("bundle").order_by(
        "-created_at")[:50]
    versions = (visible_devices(request.user).values("signature_version")
                .order_by("signature_version"))
    from django.db.models import Count

    counts = versions.annotate(n=Count("id"))
    return _render(request, "distribution/signatures.html", {
        "bundles": bundles, "imports": imports, "version_counts": counts,
        "public_key": public_key_b64(), "nav": "signatures",
    })


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
                result = import_handcarry(upload.read(), org, allowed_orgs=orgs,
                                          user=request.user)
            except HandcarryRefused as exc:
                messages.error(request, _("%(file)s was not imported: %(reason)s")
                               % {"file": upload.name, "reason": translated(exc)})
                continue
            if result.held is not None:
                messages.warning(request, _("%(file)s was held for review, not applied: "
                                            "%(reason)s.")
                                 % {"file": upload.name, "reason": translated(result.held.reason)})
            elif result.duplicate:
                messages.info(request, _("%(file)s: this report was already imported.")
                              % {"file": upload.name})
            else:
                messages.success(request, _("%(file)s imported for %(device)s.")
                                 % {"file": upload.name, "device": result.device})
        return redirect("distribution:handcarry")
    return _render(request, "distribution/handcarry.html", {
        "orgs": orgs, "nav": "handcarry", "held": held_for(orgs),
    })


@bureau_only
@require_POST
def handcarry_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept (apply) or reject a held hand-carry file; the decision is recorded."""
    held = get_object_or_404(held_for(visible_orgs(request.user)), pk=pk)
    accept = request.POST.get("decision") == "accept"
    try:
        result = decide_held(held, accept=accept, user=request.user)
    except HandcarryRefused as exc:
        messages.error(request, _("%(file)s was not imported: %(reason)s")
                       % {"file": held.hostname, "reason": translated(exc)})
        return redirect("distribution:handcarry")
    if result is None:
        messages.success(request, _("Rejected: the file from %(host)s stays out of the ledger.")
                         % {"host": held.hostname})
    else:
        messages.success(request, _("%(file)s imported for %(device)s.")
                         % {"file": held.hostname, "device": result.device})
    return redirect("distribution:handcarry")


@bureau_only
def stale_page(request: HttpRequest) -> HttpResponse:
    devices = stale_devices(visible_devices(request.user)).select_related("organisation")
    rows = [(d, silent_for(d)) for d in devices.order_by("last_seen")[:500]]
    return _render(request, "distribution/stale.html", {"rows": rows, "nav": "stale"})
