"""Users page of a bureau administrator: the users below its organisation, a form to add
one, and the bulk import of organisations and users (preview, then apply)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from collector_server.accounts.forms import AccountsImportForm, UserForm
from collector_server.accounts.importing import import_accounts
from collector_server.accounts.models import Profile
from collector_server.accounts.permissions import can_administer
from collector_server.accounts.scoping import visible_orgs
from collector_server.accounts.services import create_user, generate_password
from collector_server.web import uploads

SESSION_KEY = "accounts_import"


def _require_admin(request: HttpRequest) -> None:
    if not can_administer(request.user):
        raise PermissionDenied(_("Only a bureau administrator may manage users."))


@login_required
@require_http_methods(["GET", "POST"])
def user_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    orgs = visible_orgs(request.user)
    form = UserForm(
        request.POST or None, orgs=orgs, initial={"organisation": request.GET.get("org")}
    )
    new_user = request.session.pop("reset_user", None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        password = create_user(data["username"], data["role"], data["organisation"])
        # shown in this answer only: not stored anywhere in clear
        new_user = {
            "username": data["username"],
            "password": password,
            "organisation": data["organisation"].name,
        }
        messages.success(request, _("User %(name)s added.") % {"name": data["username"]})
        form = UserForm(orgs=orgs)
    profiles = (
        Profile.objects.filter(organisation__in=orgs)
        .select_related("user", "organisation")
        .order_by("organisation__path", "user__username")
    )
    return render(
        request,
        "accounts/users.html",
        {
            "nav": "users",
            "form": form,
            "profiles": profiles[:500],
            "new_user": new_user,
        },
    )


@login_required
@require_POST
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    """A new one-time password for a user below the administrator (a forgotten password)."""
    _require_admin(request)
    profile = get_object_or_404(
        Profile.objects.select_related("user", "organisation"),
        user_id=pk,
        organisation__in=visible_orgs(request.user),
    )
    if profile.user.is_superuser and not request.user.is_superuser:
        raise PermissionDenied(_("Only a bureau administrator may manage users."))
    password = generate_password()
    profile.user.set_password(password)
    profile.user.save(update_fields=["password"])
    # shown once on the next page load, then gone from the session
    request.session["reset_user"] = {
        "username": profile.user.username,
        "password": password,
        "organisation": profile.organisation.name,
    }
    messages.success(
        request, _("New one-time password for %(name)s.") % {"name": profile.user.username}
    )
    return redirect("users")


@login_required
@require_http_methods(["GET", "POST"])
def user_import(request: HttpRequest) -> HttpResponse:
    """Step 1: upload and preview (dry run). Step 2 (action=confirm): apply the same file."""
    _require_admin(request)
    context = {"nav": "users", "form": AccountsImportForm()}
    if request.method == "POST" and request.POST.get("action") == "confirm":
        stored = uploads.take(request, SESSION_KEY)
        if stored is None:
            messages.error(request, _("The uploaded file has expired; upload it again."))
            return redirect("users_import")
        try:
            result = import_accounts(stored["path"], request.user, dry_run=False)
        finally:
            stored["path"].unlink(missing_ok=True)
        context.update(result=result, filename=stored["name"])
        if result.applied:
            messages.success(
                request,
                _("%(orgs)d organisations and %(users)d users added.")
                % {"orgs": result.new_orgs, "users": result.new_users},
            )
        return render(request, "accounts/users_import.html", context)
    if request.method == "POST":
        form = AccountsImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            path = uploads.save_upload(upload)
            result = import_accounts(path, request.user, dry_run=True)
            if result.ok and result.has_changes:
                uploads.remember(request, SESSION_KEY, path, upload.name)
            else:
                path.unlink(missing_ok=True)
            context.update(result=result, filename=upload.name)
    return render(request, "accounts/users_import.html", context)
