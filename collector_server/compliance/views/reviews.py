"""Weekly review pages: list per week, one review (texts, lock), XLSX/PDF, generate."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from collector_server.accounts.scoping import visible_orgs

from ..access import get_or_404, is_bureau, visible_reviews
from ..forms import ReviewTextForm
from ..models import LockedReviewError
from ..outputs import review_pdf, review_xlsx
from ..pdf import FontMissingError
from ..review import (
    METRICS,
    WeekError,
    generate_all,
    lock,
    metric_rows,
    parse_week,
    previous_week,
    trend_charts,
)
from .common import PDF, XLSX, download


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    week = request.GET.get("week", "").strip()
    reviews = visible_reviews(request.user).select_related("organisation")
    if week:
        reviews = reviews.filter(week=week)
    return render(
        request,
        "compliance/reviews.html",
        {
            "nav": "compliance",
            "reviews": reviews[:500],
            "week": week,
            "default_week": previous_week(),
            "bureau": is_bureau(request.user),
            "labels": dict(METRICS),
        },
    )


@login_required
@require_POST
def review_generate(request: HttpRequest) -> HttpResponse:
    if not is_bureau(request.user):
        raise PermissionDenied
    week = request.POST.get("week", "").strip() or previous_week()
    try:
        parse_week(week)
        created = generate_all(week, visible_orgs(request.user))
    except WeekError as exc:
        messages.error(request, str(exc))
        return redirect("compliance:reviews")
    messages.success(
        request,
        _("%(count)d reviews generated for %(week)s.") % {"count": len(created), "week": week},
    )
    return redirect(reverse("compliance:reviews") + f"?week={week}")


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_or_404(visible_reviews(request.user).select_related("organisation"), pk=pk)
    editable = is_bureau(request.user) and not review.locked
    form = ReviewTextForm(request.POST or None, instance=review)
    status = 200
    if request.method == "POST":
        if not is_bureau(request.user):
            raise PermissionDenied
        if review.locked:
            messages.error(request, _("This week is locked; it can no longer be changed."))
            status = 409
        elif form.is_valid():
            try:
                form.save()
                if request.POST.get("action") == "lock":
                    lock(review, request.user)
                    messages.success(request, _("The review is saved and locked."))
                else:
                    messages.success(request, _("The review is saved."))
            except LockedReviewError:
                messages.error(request, _("This week is locked; it can no longer be changed."))
                status = 409
            else:
                return redirect("compliance:review", pk=review.pk)
    return render(
        request,
        "compliance/review.html",
        {
            "nav": "compliance",
            "review": review,
            "form": form,
            "editable": editable,
            "metrics": metric_rows(review.snapshot),
            "charts": trend_charts(review.snapshot),
            "schools": review.snapshot.get("schools", []),
            "labels": dict(METRICS),
        },
        status=status,
    )


@login_required
def review_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    review = get_or_404(visible_reviews(request.user).select_related("organisation"), pk=pk)
    if fmt not in ("xlsx", "pdf"):
        raise Http404("format must be xlsx or pdf")
    name = f"weekly-review-{review.week}-{review.organisation_id}.{fmt}"
    if fmt == "xlsx":
        return download(review_xlsx(review), name, XLSX)
    try:
        return download(review_pdf(review), name, PDF)
    except FontMissingError as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
