"""Forms of the compliance pages."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collector_server.ledger.models import Device

from .models import Person, PledgeSettings, PledgeVariant, WeeklyReview


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["organisation", "name", "role", "phone", "devices", "active"]
        widgets = {"devices": forms.CheckboxSelectMultiple}

    def __init__(self, *args, units=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = units
        org_id = str(
            self.data.get("organisation")
            or (self.instance.organisation_id if self.instance.pk else "")
        )
        if not org_id and units is not None and units.count() == 1:
            org_id = str(units.first().pk)
            self.initial.setdefault("organisation", org_id)
        # only the devices of the person's organisation (a bureau picks it, saves, then links)
        devices = Device.objects.filter(
            organisation__in=units, organisation_id=int(org_id) if org_id.isdigit() else 0
        )
        self.fields["devices"].queryset = devices.order_by("hostname")
        self.fields["devices"].required = False
        self.fields["devices"].help_text = _(
            "Only devices of the chosen organisation; save first to choose them."
        )

    def clean_phone(self) -> str:
        from collector_server.ledger.excel import PHONE_RE

        phone = self.cleaned_data.get("phone", "").strip()
        if phone and not PHONE_RE.match(phone):
            raise forms.ValidationError(_("Bad phone number “%(phone)s”.") % {"phone": phone})
        return phone

    def clean(self):
        data = super().clean()
        org, devices = data.get("organisation"), data.get("devices")
        if org and devices and any(d.organisation_id != org.pk for d in devices):
            raise forms.ValidationError(_("The devices must belong to the person's organisation."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"))


class ScanForm(forms.Form):
    signed_on = forms.DateField(
        label=_("Signed on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    variant = forms.ChoiceField(label=_("Text"), choices=PledgeVariant.choices)
    file = forms.FileField(label=_("Signed scan (PDF, JPEG or PNG)"))


class SettingsForm(forms.ModelForm):
    class Meta:
        model = PledgeSettings
        fields = ["deadline", "variant"]
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class ReviewTextForm(forms.ModelForm):
    class Meta:
        model = WeeklyReview
        fields = ["experience", "problems", "adjustments"]
        widgets = {
            f: forms.Textarea(attrs={"rows": 4}) for f in ("experience", "problems", "adjustments")
        }
