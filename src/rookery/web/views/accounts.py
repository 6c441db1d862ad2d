"""Sign-up (open, invite-only or closed), log in with a per-IP rate limit, log out, passwords."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from rookery.accounts import services as account_services
from rookery.accounts.selectors import invite_usable
from rookery.core import ratelimit
from rookery.web.forms import SignupForm
from rookery.web.views.common import form_apply_errors


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest, code: str | None = None) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:home")
    mode = settings.SIGNUP_MODE
    invite = invite_usable(code) if code else None
    if code and invite is None:
        return render(request, "web/auth/signup_closed.html", {"reason": "invite"}, status=404)
    if mode == "closed" or (mode == "invite" and invite is None):
        return render(request, "web/auth/signup_closed.html", {"reason": mode}, status=403)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = account_services.user_create(
                username=data["username"],
                email=data["email"],
                password=data["password"],
                invite_code=code,
            )
        except ValidationError as error:
            form_apply_errors(form, error)
        else:
            login(request, user)
            messages.success(request, f"Welcome to {settings.INSTANCE_NAME}, @{user.username}!")
            return redirect("web:settings_profile")
    status = 400 if request.method == "POST" else 200
    return render(request, "web/auth/signup.html", {"form": form, "invite": invite}, status=status)


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client wants it to be unless a proxy we
    # trust rewrites it, and then the proxy should set REMOTE_ADDR for us.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class LoginView(auth_views.LoginView):
    template_name = "web/auth/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        result = ratelimit.hit("login", client_ip(request), rate=settings.LOGIN_RATE)
        if not result.allowed:
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                "Too many login attempts from your network. "
                f"Please wait {result.retry_after} seconds and try again.",
            )
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            response["Retry-After"] = str(result.retry_after)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class LogoutView(auth_views.LogoutView):
    template_name = "web/auth/logged_out.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "web/settings/password.html"
    extra_context = {"section": "password"}
    success_url = reverse_lazy("web:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "web/settings/password_done.html"
    extra_context = {"section": "password"}


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "web/auth/password_reset.html"
    email_template_name = "web/auth/password_reset_email.txt"
    subject_template_name = "web/auth/password_reset_subject.txt"
    success_url = reverse_lazy("web:password_reset_done")

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        # Each request sends an email: the login budget also keeps this from becoming a spam gun.
        result = ratelimit.hit("password_reset", client_ip(request), rate=settings.LOGIN_RATE)
        if not result.allowed:
            form = self.get_form()
            form.add_error(None, f"Too many requests; please wait {result.retry_after} seconds.")
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/auth/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/auth/password_reset_confirm.html"
    success_url = reverse_lazy("web:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/auth/password_reset_complete.html"
