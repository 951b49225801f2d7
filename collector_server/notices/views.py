"""Notice pages: list, register by form, detail with matches, publish, re-match."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from collector_server.notices import services
from collector_server.notices.access import (
    get_notice_or_404,
    is_bureau,
    match_scope,
    require_bureau,
    visible_cases,
    visible_notices,
)
from collector_server.notices.forms import IndicatorFormSet, NoticeForm
from collector_server.notices.models import MatchStrength

STRENGTH_ORDER = {
    MatchStrength.device: 0,
    MatchStrength.candidate: 1,
    MatchStrength.organisation: 2,
}


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    notices = (
        visible_notices(request.user).select_related("organisation").prefetch_related("indicators")
    )
    return render(
        request,
        "notices/notice_list.html",
        {"nav": "notices", "notices": notices[:500], "bureau": is_bureau(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def notice_new(request: HttpRequest) -> HttpResponse:
    require_bureau(request.user)
    form = NoticeForm(request.POST or None, user=request.user)
    formset = IndicatorFormSet(request.POST or None, prefix="ind")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        indicators = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("value")]
        data = form.cleaned_data
        notice = services.register_notice(
            data["organisation"],
            source=data["source"],
            number=data["number"],
            received_at=data["received_at"],
            indicators=indicators,
            user=request.user,
            note=data["note"],
        )
        cases = services.open_cases(notice, user=request.user)
        messages.success(
            request,
            _("Notice %(number)s registered: %(count)d case(s) opened.")
            % {"number": notice.number, "count": len(cases)},
        )
        return redirect("notices:notice", pk=notice.pk)
    return render(
        request, "notices/notice_form.html", {"nav": "notices", "form": form, "formset": formset}
    )


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_notice_or_404(request.user, pk)
    matches = sorted(
        match_scope(request.user, notice),
        key=lambda m: (m.indicator_id, STRENGTH_ORDER.get(m.strength, 3), m.organisation.name),
    )
    cases = visible_cases(request.user).filter(notice=notice)
    return render(
        request,
        "notices/notice_detail.html",
        {
            "nav": "notices",
            "notice": notice,
            "indicators": notice.indicators.all(),
            "matches": matches,
            "cases": cases,
            "bureau": is_bureau(request.user),
        },
    )


@login_required
@require_POST
def notice_rematch(request: HttpRequest, pk: int) -> HttpResponse:
    """Match the indicators again (new uploads arrived) and open cases for new schools."""
    require_bureau(request.user)
    notice = get_notice_or_404(request.user, pk)
    cases = services.open_cases(notice, user=request.user)
    messages.success(request, _("Matched again: %(count)d case(s).") % {"count": len(cases)})
    return redirect("notices:notice", pk=notice.pk)


@login_required
@require_POST
def notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """发布到特征库: the notice's indicators go into the next signed signature bundle."""
    from collector_server.notices.publish import PublishError, publish_notice

    require_bureau(request.user)
    notice = get_notice_or_404(request.user, pk)
    try:
        bundle = publish_notice(notice, request.user)
    except PublishError as exc:
        messages.error(request, _("Not published: %(reason)s") % {"reason": exc})
    else:
        messages.success(
            request, _("Published in signature bundle %(version)s.") % {"version": bundle.version}
        )
    return redirect("notices:notice", pk=notice.pk)
