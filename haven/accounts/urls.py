from django.urls import path

from haven.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("verify/", views.otp_verify, name="otp_verify"),
    path("security/", views.security, name="security"),
    path("security/totp/start/", views.totp_start, name="totp_start"),
    path("security/totp/stop/", views.totp_stop, name="totp_stop"),
    path("password/", views.password_change, name="password_change"),
    path("reset/", views.reset, name="reset"),
    path("reset/<str:key>/", views.reset_link, name="reset_link"),
    path("locks/", views.locks, name="locks"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/<int:organisation_id>/", views.organisation, name="organisation"),
    path("users/<int:user_id>/", views.user, name="user"),
]
