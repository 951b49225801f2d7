from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("export.<str:fmt>", views.export, name="ledger_export"),
    path("stale-sweep/", views.stale_sweep, name="stale_sweep"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/retry/", views.retry, name="retry"),
]
