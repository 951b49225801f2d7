"""Helpers shared by the compliance views."""

from __future__ import annotations

from django.http import HttpResponse


def download(data: bytes, filename: str, content_type: str, inline: bool = False) -> HttpResponse:
    from django.utils.http import content_disposition_header

    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
