"""Organisation list and page: egress lines, managed IP ranges, enrollment tokens, devices."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collector_server.accounts.forms import OrganisationForm
from collector_server.accounts.permissions import can_administer, can_edit_ledger, require_edit
from collector_server.accounts.scoping import get_org_or_404, visible_orgs
from collector_server.ledger.forms import EgressLineForm, ManagedRangeForm, TokenForm
from collector_server.ledger.models import EgressLine, EnrollmentToken, ManagedRange
from collector_server.ledger.services import revoke_enrollment_token


@login_required
def org_list(request: HttpRequest) -> HttpResponse:
    orgs = (
        visible_orgs(request.user)
        .annotate(
            n_devices=Count("devices"),
            n_mining=Count("devices", filter=Q(devices__last_verdict="mining")),
        )
        .order_by("path")
    )
    return render(request, "ledger/org_list.html", {"nav": "orgs", "orgs": orgs})


def public_url(request: HttpRequest) -> str:
    """The address agents use: MINECHECK_PUBLIC_URL, else the one this page was asked on."""
    configured = getattr(settings, "MINECHECK_PUBLIC_URL", "")
    return (configured or request.build_absolute_uri("/")).rstrip("/")


def _toml_string(text: str) -> str:
    """A TOML basic string (quotes and backslashes escaped, control characters dropped)."""
    text = "".join(ch for ch in text if ch >= " " and ch != "\x7f")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def agent_config(url: str, token: str) -> str:
    """A ready minecheck.toml for an agent enrolling with ``token`` at ``url``."""
    return "\n".join(
        [
            "[server]",
            f"url = {_toml_string(url)}",
            f"enrollment_token = {_toml_string(token)}",
            "",
            "[ledger]  # " + _("used only on first enrollment; the web ledger wins afterwards"),
            'location = ""  # ' + _("where the PC stands, e.g. lab 2, 3rd floor"),
            'department = ""  # ' + _("department, e.g. IT centre"),
            'owner = ""  # ' + _("the person responsible"),
            'phone = ""',
            "",
        ]
    )


@login_required
def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_org_or_404(request.user, pk=pk)
    editable = can_edit_ledger(request.user, org)
    sub = org.descendants()
    new_token = request.session.pop("new_token", None)
    server_url = public_url(request)
    return render(
        request,
        "ledger/org_detail.html",
        {
            "nav": "orgs",
            "org": org,
            "editable": editable,
            "ancestors": org.ancestors(),
            "children": org.children.order_by("name"),
            "lines": org.egress_lines.all(),
            "ranges": org.managed_ranges.all(),
            "tokens": org.enrollment_tokens.all()[:50] if editable else [],
            "devices": org.devices.only(
                "id",
                "hostname",
                "location",
                "last_verdict",
                "last_mode",
                "last_seen",
                "high_performance",
                "organisation_id",
            ).order_by("hostname")[:20],
            "device_total": sub.aggregate(n=Count("devices"))["n"],
            "line_form": EgressLineForm(prefix="line"),
            "range_form": ManagedRangeForm(prefix="range"),
            "token_form": TokenForm(prefix="token"),
            "new_token": new_token,
            "server_url": server_url,
            "agent_toml": agent_config(server_url, new_token) if new_token else "",
            "administer": can_administer(request.user),
            "child_form": OrganisationForm(prefix="child"),
        },
    )


@login_required
@require_POST
def org_add_child(request: HttpRequest, pk: int) -> HttpResponse:
    """A bureau administrator adds an organisation (a school, a café) below ``pk``."""
    org = get_org_or_404(request.user, pk=pk)
    if not can_administer(request.user):
        raise PermissionDenied(_("Only a bureau administrator may add organisations."))
    form = OrganisationForm(request.POST, prefix="child", parent=org)
    if form.is_valid():
        child = form.save(commit=False)
        child.parent = org
        child.save()
        messages.success(request, _("Organisation %(name)s added.") % {"name": child.name})
        return redirect("ledger:org", pk=child.pk)
    messages.error(
        request,
        _("Organisation not added: %(errors)s")
        % {"errors": "; ".join(e for errs in form.errors.values() for e in errs)},
    )
    return redirect("ledger:org", pk=org.pk)


def _add_org_item(
    request: HttpRequest, pk: int, form_class, prefix: str, added: str, refused: str
) -> HttpResponse:
    """Validate one egress line / IP range form and attach the row to the organisation."""
    org = get_org_or_404(request.user, pk=pk)
    require_edit(request.user, org)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        item = form.save(commit=False)
        item.organisation = org
        item.save()
        messages.success(request, added)
    else:
        messages.error(
            request,
            refused % {"errors": "; ".join(e for errs in form.errors.values() for e in errs)},
        )
    return redirect("ledger:org", pk=org.pk)


@login_required
@require_POST
def org_add_line(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_org_item(
        request,
        pk,
        EgressLineForm,
        "line",
        _("Egress line added."),
        _("Egress line not added: %(errors)s"),
    )


@login_required
@require_POST
def org_add_range(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_org_item(
        request,
        pk,
        ManagedRangeForm,
        "range",
        _("IP range added."),
        _("IP range not added: %(errors)s"),
    )


@login_required
@require_POST
def org_delete_item(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    org = get_org_or_404(request.user, pk=pk)
    require_edit(request.user, org)
    model = {"line": EgressLine, "range": ManagedRange}.get(kind)
    if model is None:
        return redirect("ledger:org", pk=org.pk)
    get_object_or_404(model, pk=item_pk, organisation=org).delete()
    messages.success(request, _("Deleted."))
    return redirect("ledger:org", pk=org.pk)


@login_required
@require_POST
def token_create(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_org_or_404(request.user, pk=pk)
    require_edit(request.user, org)
    form = TokenForm(request.POST, prefix="token")
    if form.is_valid():
        _token, plain = EnrollmentToken.issue(
            org,
            expires_days=form.cleaned_data["expires_days"],
            max_uses=form.cleaned_data["max_uses"],
            note=form.cleaned_data["note"],
            created_by=request.user,
        )
        # shown once on the next page load, then gone from the session
        request.session["new_token"] = plain
    else:
        messages.error(request, _("Token not created: check the form."))
    return redirect("ledger:org", pk=org.pk)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int, token_pk: int) -> HttpResponse:
    org = get_org_or_404(request.user, pk=pk)
    require_edit(request.user, org)
    token = get_object_or_404(EnrollmentToken, pk=token_pk, organisation=org)
    count = revoke_enrollment_token(token, with_devices=bool(request.POST.get("devices")))
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    if count:
        messages.success(
            request, _("%(count)d device token(s) it produced revoked.") % {"count": count}
        )
    return redirect("ledger:org", pk=org.pk)
