"""URLs of the compliance pages (mounted at /compliance/)."""

from __future__ import annotations

from django.urls import path

from .views import people, pledges, reviews

app_name = "compliance"

urlpatterns = [
    path("", pledges.home, name="home"),
    path("people/", people.people_list, name="people"),
    path("people/add/", people.person_edit, name="person_add"),
    path("people/<int:pk>/", people.person_edit, name="person_edit"),
    path("people/export.xlsx", people.people_export, name="people_export"),
    path("people/import/", people.people_import, name="people_import"),
    path("pledges/", pledges.pledge_list, name="pledges"),
    path("pledges/upload/", pledges.upload_scan, name="pledge_upload"),
    path("pledges/<int:pk>/scan", pledges.scan_download, name="pledge_scan"),
    path("pledges/person/<int:pk>.pdf", pledges.person_pdf, name="pledge_person_pdf"),
    path("pledges/unit/<int:org_id>.pdf", pledges.unit_pdf, name="pledge_unit_pdf"),
    path("pledges/batch/<int:org_id>.pdf", pledges.batch_pdf, name="pledge_batch_pdf"),
    path("settings/<int:org_id>/", pledges.set_settings, name="settings"),
    path("cases/overdue/", pledges.overdue_cases_page, name="overdue_cases"),
    path("reviews/", reviews.review_list, name="reviews"),
    path("reviews/generate", reviews.review_generate, name="review_generate"),
    path("reviews/<int:pk>/", reviews.review_detail, name="review"),
    path("reviews/<int:pk>.<str:fmt>", reviews.review_file, name="review_file"),
]
