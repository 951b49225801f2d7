"""Sign-in, sign-out and password change (Django's auth views with the collector's templates)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from collector_server.accounts import views

LOGIN_TEMPLATE = "accounts/login.html"

# No namespace: "login", "logout", "password_change" and "password_change_done" are the
# names Django's auth views expect.
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name=LOGIN_TEMPLATE), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password_change/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("users/", views.user_list, name="users"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path("users/import/", views.user_import, name="users_import"),
]
