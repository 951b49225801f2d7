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
    path("handcarry/held/<int:pk>/", views.handcarry_decide, name="handcarry_decide"),
    path("stale/", views.stale_page, name="stale"),
]
