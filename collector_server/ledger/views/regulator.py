"""The regulator's 举报 settings: the phone and address for reporting mining, which every
agent below the organisation gets with its settings and prints in its HTML report."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collector_server.accounts.permissions import require_edit
from collector_server.accounts.scoping import get_org_or_404
from collector_server.ledger.models import AgentSettings


class ReportContactForm(forms.Form):
    report_phone = forms.CharField(
        label=gettext_lazy("Phone for reporting mining"), max_length=50, required=False
    )
    report_address = forms.CharField(
        label=gettext_lazy("Address for reporting mining"), max_length=200, required=False
    )


@login_required
def report_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form with what agents below ``pk`` get now; POST: save (editing roles)."""
    org = get_org_or_404(request.user, pk=pk)
    row = AgentSettings.objects.filter(organisation=org).first()
    if request.method == "POST":
        require_edit(request.user, org)
        form = ReportContactForm(request.POST)
        if form.is_valid():
            row = row or AgentSettings(organisation=org)
            for field in ("report_phone", "report_address"):
                setattr(row, field, form.cleaned_data[field].strip() or None)
            row.save()
            messages.success(request, _("Saved: agents get it with their next settings."))
            return redirect("ledger:report_contact", pk=org.pk)
    else:
        form = ReportContactForm(
            initial={
                "report_phone": (row.report_phone if row else "") or "",
                "report_address": (row.report_address if row else "") or "",
            }
        )
    return render(
        request,
        "ledger/report_contact.html",
        {"nav": "orgs", "org": org, "form": form, "effective": AgentSettings.effective(org)},
    )
