"""Notices URLs (included at /notices/ by collector_server.urls)."""

from django.urls import path

from collector_server.notices import api, case_views, io_views, views

app_name = "notices"

urlpatterns = [
    path("", views.notice_list, name="notices"),
    path("new/", views.notice_new, name="notice_new"),
    path("import/", io_views.import_page, name="import"),
    path("<int:pk>/", views.notice_detail, name="notice"),
    path("<int:pk>/match/", views.notice_rematch, name="notice_rematch"),
    path("<int:pk>/publish/", views.notice_publish, name="notice_publish"),
    path("cases/", case_views.case_list, name="cases"),
    path("cases/<int:pk>/", case_views.case_detail, name="case"),
    path("cases/<int:pk>/locate/", case_views.case_locate, name="case_locate"),
    path("cases/<int:pk>/report/", case_views.case_report, name="case_report"),
    path("cases/<int:pk>/return/", case_views.case_return, name="case_return"),
    path("cases/<int:pk>/close/", case_views.case_close, name="case_close"),
    path("cases/<int:pk>/report.<str:fmt>", io_views.written_report, name="case_document"),
    path("blocklist/", io_views.blocklist_page, name="blocklist"),
    path("blocklist/download.<str:fmt>", io_views.blocklist_download, name="blocklist_download"),
    path("upward/", io_views.upward_page, name="upward"),
    path("api/notices", api.notices, name="api_notices"),
    path("api/cases", api.cases, name="api_cases"),
]
