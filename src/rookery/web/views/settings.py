"""Settings: profile, account, mutes and blocks, follows import/export, invites."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from rookery.accounts import services as account_services
from rookery.accounts.selectors import invites_of
from rookery.social import services as social_services
from rookery.web.forms import AccountForm, FollowsImportForm, InviteForm, ProfileForm
from rookery.web.selectors import blocks_of, mutes_of
from rookery.web.views.common import form_apply_errors


def _site_domain() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0]


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {
        "display_name": user.display_name,
        "headline": user.headline,
        "bio": user.bio,
        "website": user.website,
        "topics": ", ".join(user.topics.order_by("name").values_list("name", flat=True)),
    }
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # One transaction: a refused avatar leaves the rest of the profile unchanged too.
            with transaction.atomic():
                account_services.profile_update(
                    user=user,
                    display_name=data["display_name"],
                    headline=data["headline"],
                    bio=data["bio"],
                    website=data["website"],
                    topics=account_services.topics_parse(data["topics"]),
                )
                if data["avatar"]:
                    account_services.avatar_set(user=user, upload=data["avatar"])
                elif data["remove_avatar"]:
                    account_services.avatar_remove(user=user)
        except ValidationError as error:
            user.refresh_from_db()
            if not hasattr(error, "error_dict"):
                error = ValidationError({"avatar": error.messages})
            form_apply_errors(form, error)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("web:settings_profile")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "web/settings/profile.html", {"form": form, "section": "profile"}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {
        "locked": user.locked,
        "hide_follows": user.hide_follows,
        "discoverable": user.discoverable,
        "timezone": user.timezone,
    }
    form = AccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account_services.account_settings_update(
                user=user,
                locked=data["locked"],
                hide_follows=data["hide_follows"],
                discoverable=data["discoverable"],
                timezone_name=data["timezone"],
            )
        except ValidationError as error:
            form_apply_errors(form, error)
        else:
            messages.success(request, "Your account settings are saved.")
            return redirect("web:settings_account")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "web/settings/account.html", {"form": form, "section": "account"}, status=status
    )


@login_required
@require_GET
def mutes(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/settings/mutes.html",
        {"mutes": list(mutes_of(request.user)[:500]), "section": "mutes"},
    )


@login_required
@require_GET
def blocks(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/settings/blocks.html",
        {"blocks": list(blocks_of(request.user)[:500]), "section": "blocks"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def follows(request: HttpRequest) -> HttpResponse:
    form = FollowsImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read()
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", "The file is not UTF-8 text; export it again as CSV.")
        else:
            try:
                report = social_services.follows_import_csv(
                    user=request.user, content=content, domain=_site_domain()
                )
            except ValidationError as error:
                form.add_error("file", error.messages)
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "web/settings/follows.html",
        {"form": form, "report": report, "section": "follows"},
        status=status,
    )


@login_required
@require_GET
def follows_export(request: HttpRequest) -> HttpResponse:
    body = social_services.follows_export_csv(user=request.user, domain=_site_domain())
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="following_accounts.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def invites(request: HttpRequest) -> HttpResponse:
    enabled = settings.SIGNUP_MODE == "invite"
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if not enabled:
            messages.error(request, "This server doesn't use invite links.")
            return redirect("web:settings_invites")
        if form.is_valid():
            max_uses = form.cleaned_data["max_uses"]
            days = form.cleaned_data["expires"]
            try:
                account_services.invite_create(
                    created_by=request.user,
                    max_uses=int(max_uses) if max_uses else None,
                    expires_at=timezone.now() + timedelta(days=int(days)) if days else None,
                )
            except ValidationError as error:
                form_apply_errors(form, error)
            else:
                messages.success(request, "New invite link created.")
                return redirect("web:settings_invites")
    return render(
        request,
        "web/settings/invites.html",
        {
            "form": form,
            "enabled": enabled,
            "invites": list(invites_of(request.user)[:100]),
            "section": "invites",
        },
    )
