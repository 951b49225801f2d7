"""A test-only URL conf: the collector's URLs plus a page that raises (for the 500 page)."""

from django.urls import path

from collector_server.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("secret-detail-of-the-failure")


urlpatterns = [path("test-boom/", boom), *site_urlpatterns]
