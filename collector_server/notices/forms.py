"""Forms of the notices pages: register a notice with indicators, case actions, import."""

from __future__ import annotations

import ipaddress
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from collector_server.accounts.scoping import visible_orgs
from collector_server.notices.models import MiningMode, NoticeSource

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]


def clean_indicator_value(text: str) -> str:
    """A public IP address or a domain, lower case; ValidationError otherwise."""
    value = text.strip().lower().rstrip(".")
    try:
        ipaddress.ip_address(value)
        return value
    except ValueError:
        pass
    if DOMAIN_RE.match(value):
        return value
    raise forms.ValidationError(
        _("“%(value)s” is neither an IP address nor a domain."), params={"value": text}
    )


class NoticeForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=None, label=_("Received by"))
    source = forms.ChoiceField(choices=NoticeSource.choices, label=_("Source"))
    number = forms.CharField(max_length=100, label=_("Notice number"))
    received_at = forms.DateTimeField(
        label=_("Date received"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    note = forms.CharField(
        required=False, label=_("Note"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        orgs = visible_orgs(user).exclude(kind__in=["school", "cafe"])
        self.fields["organisation"].queryset = orgs
        profile = getattr(user, "profile", None)
        if profile is not None and not self.is_bound:
            self.fields["organisation"].initial = profile.organisation_id


class IndicatorForm(forms.Form):
    value = forms.CharField(max_length=255, label=_("IP address or domain"))
    port = forms.IntegerField(required=False, min_value=1, max_value=65535, label=_("Port"))
    observed_from = forms.DateTimeField(
        required=False,
        label=_("Observed from"),
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
    )
    observed_to = forms.DateTimeField(
        required=False,
        label=_("Observed to"),
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
    )

    def clean_value(self) -> str:
        return clean_indicator_value(self.cleaned_data["value"])

    def clean(self):
        data = super().clean()
        start, end = data.get("observed_from"), data.get("observed_to")
        if start and end and end < start:
            raise forms.ValidationError(_("The time window ends before it starts."))
        return data


class BaseIndicatorFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        if not [f for f in self.forms if f.cleaned_data.get("value")]:
            raise forms.ValidationError(_("Give at least one IP address or domain."))


IndicatorFormSet = forms.formset_factory(IndicatorForm, formset=BaseIndicatorFormSet, extra=3)


class LocateForm(forms.Form):
    devices = forms.ModelMultipleChoiceField(
        queryset=None, label=_("Device(s)"), widget=forms.CheckboxSelectMultiple
    )
    responsible_person = forms.CharField(max_length=100, label=_("Responsible person"))

    def __init__(self, *args, devices=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["devices"].queryset = devices
        self.fields["devices"].label_from_instance = lambda d: " · ".join(
            x for x in (d.hostname, d.location, d.department, d.responsible_person) if x
        )


class WrittenReportForm(forms.Form):
    mining_mode = forms.ChoiceField(choices=MiningMode.choices, label=_("Active or passive"))
    mode_reason = forms.CharField(
        required=False, label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3})
    )
    actions = forms.CharField(
        required=False, label=_("Actions taken"), widget=forms.Textarea(attrs={"rows": 3})
    )
    accountability = forms.CharField(
        required=False, label=_("Accountability"), widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=2000,
        label=_("Reason (only when a device has no clean rescan, e.g. device retired)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        max_length=2000, label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2})
    )


class NoticeImportForm(forms.Form):
    file = forms.FileField(label=_("Notice list (.xlsx or .csv)"))
    organisation = forms.ModelChoiceField(queryset=None, label=_("Received by"))
    source = forms.ChoiceField(
        choices=NoticeSource.choices,
        label=_("Source"),
        help_text=_("Used for rows without a 通报单位 column."),
    )
    number = forms.CharField(
        max_length=100,
        required=False,
        label=_("Notice number"),
        help_text=_("Used for rows without a notice number column."),
    )

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = visible_orgs(user).exclude(
            kind__in=["school", "cafe"]
        )
        profile = getattr(user, "profile", None)
        if profile is not None and not self.is_bound:
            self.fields["organisation"].initial = profile.organisation_id

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload
