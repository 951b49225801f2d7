from django.urls import path

from collector_server.distribution import api, views

app_name = "distribution"
api_urlpatterns = [
    path("latest", api.latest, name="latest"),
    path("<str:version>/archive", api.archive, name="archive"),
]
urlpatterns = [
    path("signatures/", views.signatures_page, name="signatures"),
    path("handcarry/", views.handcarry_page, name="handcarry"),
    path("stale/", views.stale_page, name="stale"),
]
