"""Dashboard forms of a bureau administrator: a new organisation, a new user, an import."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from collector_server.accounts.models import Role
from collector_server.ledger.excel import PHONE_RE
from collector_server.ledger.forms import ImportForm
from collector_server.ledger.models import Organisation, OrgKind

USERNAME_MAX = 150


class OrganisationForm(forms.ModelForm):
    """An organisation below the one whose page the form is on."""

    class Meta:
        model = Organisation
        fields = ["name", "kind", "code", "contact_person", "contact_phone"]

    def __init__(self, *args, parent: Organisation | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.parent = parent
        self.fields["kind"].initial = OrgKind.school

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Organisation.objects.filter(parent=self.parent, name=name).exists():
            raise forms.ValidationError(_("An organisation of this name already exists here."))
        return name

    def clean_contact_phone(self) -> str:
        phone = self.cleaned_data.get("contact_phone", "").strip()
        if phone and not PHONE_RE.match(phone):
            raise forms.ValidationError(
                _("Enter a phone number such as 0571-88886666 or 13800138000.")
            )
        return phone


class UserForm(forms.Form):
    """A new dashboard user in one of the organisations the administrator may see."""

    username = forms.RegexField(
        label=_("User name"),
        max_length=USERNAME_MAX,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Use letters, digits and . @ + - _ only.")},
    )
    role = forms.ChoiceField(
        label=_("Account role"), choices=Role.choices, initial=Role.school_staff
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )

    def __init__(self, *args, orgs=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if orgs is not None:
            self.fields["organisation"].queryset = orgs.order_by("path")

    def clean_username(self) -> str:
        name = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=name).exists():
            raise forms.ValidationError(_("This user name is taken."))
        return name


class AccountsImportForm(ImportForm):
    """The same upload field (size and type checks) as the ledger import."""
