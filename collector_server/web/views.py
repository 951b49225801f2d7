"""The overview page (what every signed-in user lands on)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from collector_server.web.overview import build_overview


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request, "web/overview.html", {"nav": "overview", "o": build_overview(request.user)}
    )
