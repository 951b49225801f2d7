"""Sign-in and sign-out (Django's auth views with the collector's templates)."""

from django.contrib.auth import views as auth_views
from django.urls import path

LOGIN_TEMPLATE = "accounts/login.html"

# No namespace: "login" and "logout" are the names Django's auth settings expect.
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name=LOGIN_TEMPLATE), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
