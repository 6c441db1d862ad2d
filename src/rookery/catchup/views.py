"""The Today page, its feedback buttons, settings, the private feed and unsubscribe."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rookery.catchup import delivery, services
from rookery.catchup.feeds import catchup_atom
from rookery.catchup.forms import CatchupSettingsForm, CaughtUpForm, FeedbackForm, MuteTopicForm
from rookery.catchup.models import CatchupSettings
from rookery.catchup.today import Today, catchup_today
from rookery.posts.selectors import viewer_state

FEEDBACK_DONE = {
    "more": "Got it: more like this.",
    "less": "Got it: less like this.",
    "not_noise": "Got it: not noise. It will show in your catch-up.",
    "noise": "Got it: noise.",
}


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "web/400.html", {"message": message}, status=400)


def _first_error(error: ValidationError) -> str:
    return "; ".join(error.messages) or "That did not work."


def _back_to_today(request: HttpRequest) -> HttpResponse:
    return redirect("catchup:today")


def _page_context(request: HttpRequest, digest: Today, show_noise: bool) -> dict:
    posts = [entry.post for entry in digest.items()]
    if show_noise:
        posts += [entry.post for entry in digest.skipped]
    # Images are only needed by the cards on this page, not by the email or the feed.
    prefetch_related_objects(posts, "media")
    return {
        "today": digest,
        "show_noise": show_noise,
        # Likes, reposts and bookmarks on the cards, as on the home timeline.
        "state": viewer_state(request.user, posts),
        "catchup_back": reverse("catchup:today"),
    }


@login_required
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    show_noise = request.GET.get("show_noise") == "1"
    digest = catchup_today(request.user, now=timezone.now())
    return render(request, "catchup/today.html", _page_context(request, digest, show_noise))


@login_required
@require_GET
def noise(request: HttpRequest) -> HttpResponse:
    """The skipped posts, for the htmx "show" link (the page itself does ?show_noise=1)."""
    digest = catchup_today(request.user, now=timezone.now())
    return render(request, "catchup/_noise.html", _page_context(request, digest, True))


@login_required
@require_POST
def feedback(request: HttpRequest) -> HttpResponse:
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, "Unknown feedback.")
    post_id, label = form.cleaned_data["post_id"], form.cleaned_data["label"]
    try:
        services.catchup_feedback(user=request.user, post_id=post_id, label=label)
    except PermissionDenied:
        raise Http404("No such post.") from None
    except ValidationError as error:
        return _bad_request(request, _first_error(error))
    if request.htmx:
        return render(
            request,
            "catchup/_feedback_done.html",
            {"post_id": post_id, "label": label, "message": FEEDBACK_DONE[label]},
        )
    messages.success(request, FEEDBACK_DONE[label])
    return _back_to_today(request)


@login_required
@require_POST
def mute_topic(request: HttpRequest) -> HttpResponse:
    form = MuteTopicForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, "Which topic?")
    try:
        services.catchup_topic_mute(user=request.user, topic=form.cleaned_data["topic"])
    except ValidationError as error:
        return _bad_request(request, _first_error(error))
    topic = form.cleaned_data["topic"].strip().lstrip("#").lower()
    message = f"Muted #{topic}. Unmute it in catch-up settings."
    if request.htmx:
        return render(request, "catchup/_feedback_done.html", {"message": message})
    messages.success(request, message)
    return _back_to_today(request)


@login_required
@require_POST
def model_reset(request: HttpRequest) -> HttpResponse:
    services.catchup_model_reset(user=request.user)
    messages.success(request, "Your catch-up forgot what you taught it.")
    return _back_to_today(request)


@login_required
@require_POST
def caught_up(request: HttpRequest) -> HttpResponse:
    form = CaughtUpForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, "Missing marker position.")
    try:
        services.catchup_mark_caught_up(
            user=request.user,
            last_read_id=form.cleaned_data["last_read_id"],
            notifications_read_id=form.cleaned_data["notifications_read_id"],
        )
    except ValidationError as error:
        return _bad_request(request, _first_error(error))
    messages.success(request, "All caught up. New posts will show here next time.")
    return _back_to_today(request)


@login_required
@require_http_methods(["GET", "POST"])
def catchup_settings(request: HttpRequest) -> HttpResponse:
    prefs = services.catchup_settings_ensure(user=request.user)
    initial = {
        "budget_minutes": prefs.budget_minutes,
        "email_enabled": prefs.email_enabled,
        "email_time": prefs.email_time,
        "muted_words": "\n".join(prefs.muted_words),
    }
    form = CatchupSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.catchup_settings_update(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Catch-up settings saved.")
            return redirect("catchup:settings")
    feed_url = request.build_absolute_uri(reverse("catchup:atom", args=[prefs.feed_token]))
    return render(
        request,
        "catchup/settings.html",
        {"form": form, "feed_url": feed_url, "timezone_name": request.user.timezone},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def feed_token_rotate(request: HttpRequest) -> HttpResponse:
    services.catchup_feed_token_rotate(user=request.user)
    messages.success(request, "New feed address made; the old one no longer works.")
    return redirect("catchup:settings")


@require_GET
def atom(request: HttpRequest, token: str) -> HttpResponse:
    prefs = CatchupSettings.objects.select_related("user").filter(feed_token=token).first()
    if prefs is None or not prefs.user.is_active or prefs.user.is_suspended:
        raise Http404("No such feed.")
    digest = catchup_today(prefs.user, now=timezone.now(), prefs=prefs)
    body = catchup_atom(digest, feed_url=request.build_absolute_uri())
    response = HttpResponse(body, content_type="application/atom+xml; charset=utf-8")
    # The URL is a secret: keep it out of shared caches and referrers.
    response["Cache-Control"] = "private, max-age=300"
    response["Referrer-Policy"] = "no-referrer"
    return response


# No CSRF token: RFC 8058 one-click unsubscribe is a POST from the mail provider, and the
# signed token in the URL is what authorises it.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user_id = delivery.unsubscribe_user_id(token)
    except signing.BadSignature:
        return _bad_request(request, "This unsubscribe link is damaged. Use the one in the email.")
    if request.method == "GET":
        return render(request, "catchup/unsubscribe.html", {"token": token, "done": False})
    delivery.digest_unsubscribe(user_id=user_id)
    return render(request, "catchup/unsubscribe.html", {"token": token, "done": True})
