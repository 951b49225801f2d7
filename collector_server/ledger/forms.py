"""Forms of the dashboard: ledger fields, egress lines, IP ranges, tokens, import upload."""

from __future__ import annotations

import ipaddress

from django import forms
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from collector_server.accounts.scoping import visible_orgs
from collector_server.ledger.excel import PHONE_RE
from collector_server.ledger.models import Device, EgressLine, ManagedRange

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class DeviceLedgerForm(forms.ModelForm):
    """The person-entered ledger fields of one device."""

    class Meta:
        model = Device
        fields = [
            "asset_tag",
            "location",
            "department",
            "responsible_person",
            "responsible_phone",
            "status",
            "pledge_signed",
            "pledge_date",
            "notes",
        ]
        widgets = {
            "pledge_date": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_responsible_phone(self) -> str:
        phone = self.cleaned_data.get("responsible_phone", "").strip()
        if phone and not PHONE_RE.match(phone):
            raise forms.ValidationError(
                _("Enter a phone number such as 0571-88886666 or 13800138000.")
            )
        return phone


def _check_networks(text: str) -> list[str]:
    bad = []
    for item in text.replace(",", "\n").splitlines():
        item = item.strip()
        if not item:
            continue
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            bad.append(item)
    return bad


class EgressLineForm(forms.ModelForm):
    class Meta:
        model = EgressLine
        fields = ["isp", "addresses", "bandwidth_mbps", "note"]
        widgets = {
            "addresses": forms.Textarea(
                attrs={"rows": 2, "placeholder": "203.0.113.10\n198.51.100.0/28"}
            )
        }

    def clean_addresses(self) -> str:
        text = self.cleaned_data["addresses"]
        bad = _check_networks(text)
        if bad:
            raise forms.ValidationError(
                _("Not an IP address or range: %(items)s"), params={"items": ", ".join(bad)}
            )
        return text


class ManagedRangeForm(forms.ModelForm):
    class Meta:
        model = ManagedRange
        fields = ["cidr", "note"]

    def clean_cidr(self) -> str:
        text = self.cleaned_data["cidr"].strip()
        try:
            return str(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            raise forms.ValidationError(_("Not an IP range such as 10.12.0.0/16.")) from exc


class TokenForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
    expires_days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=3650, required=False, initial=30
    )
    max_uses = forms.IntegerField(label=_("Maximum uses"), min_value=1, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Use an .xlsx or .csv file."))
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


def org_options(user, selected) -> str:
    """The <option>s of the organisation filter, indented by depth (built in Python: a
    county has hundreds of schools and template loops over them cost more than the query)."""
    selected_pk = getattr(selected, "pk", selected)
    rows = visible_orgs(user).values_list("pk", "name", "path")
    return format_html_join(
        "",
        '<option value="{}"{}>{}{}</option>',
        (
            (
                pk,
                mark_safe(" selected") if str(pk) == str(selected_pk) else "",
                "\u00a0\u00a0" * max(path.count("/") - 2, 0),
                name,
            )
            for pk, name, path in rows
        ),
    )
