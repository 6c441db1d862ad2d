"""Who to follow (one-click follow and dismiss with htmx) and event rooms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rookery.accounts.models import User
from rookery.social.services import follow_create
from rookery.suggestions import selectors, services
from rookery.suggestions.forms import EventForm, JoinForm
from rookery.suggestions.models import Event
from rookery.web.views.common import (
    form_apply_errors,
    profile_or_404,
    render_timeline,
    timeline_page,
)

PAGE_SIZE = 20


def _me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _event_or_404(slug: str) -> Event:
    event = selectors.event_by_slug(slug)
    if event is None:
        raise Http404("No such event.")
    return event


def _page(
    request: HttpRequest,
    *,
    event_form: EventForm | None = None,
    join_form: JoinForm | None = None,
    status: int = 200,
) -> HttpResponse:
    me = _me(request)
    return render(
        request,
        "suggestions/who_to_follow.html",
        {
            "items": selectors.suggestions_for(me, limit=PAGE_SIZE),
            "events": list(selectors.events_of(me)[:50]),
            "event_form": event_form or EventForm(),
            "join_form": join_form or JoinForm(),
        },
        status=status,
    )


@login_required
@require_GET
def who_to_follow(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _error_text(error: ValidationError | PermissionDenied) -> str:
    return error.messages[0] if isinstance(error, ValidationError) else str(error)


@login_required
@require_POST
def suggestion_follow(request: HttpRequest, username: str) -> HttpResponse:
    target = profile_or_404(request, username)
    try:
        outcome = follow_create(follower=_me(request), followee=target)
    except (ValidationError, PermissionDenied) as error:
        if request.htmx:
            return HttpResponse(_error_text(error), status=400)
        messages.error(request, _error_text(error))
        return redirect("suggestions:who_to_follow")
    if request.htmx:
        return render(request, "suggestions/_followed.html", {"target": target, "outcome": outcome})
    verb = "You follow" if outcome.following else "You asked to follow"
    messages.success(request, f"{verb} @{target.username}.")
    return redirect("suggestions:who_to_follow")


@login_required
@require_POST
def suggestion_dismiss(request: HttpRequest, username: str) -> HttpResponse:
    target = profile_or_404(request, username)
    try:
        services.suggestion_dismiss(user=_me(request), dismissed=target)
    except ValidationError as error:
        if request.htmx:
            return HttpResponse(_error_text(error), status=400)
        messages.error(request, _error_text(error))
        return redirect("suggestions:who_to_follow")
    if request.htmx:
        return HttpResponse("")  # the card is swapped for nothing
    messages.success(request, f"We won't suggest @{target.username} again.")
    return redirect("suggestions:who_to_follow")


@login_required
@require_GET
def events(request: HttpRequest) -> HttpResponse:
    return redirect(reverse("suggestions:who_to_follow") + "#events")


@login_required
@require_POST
def event_create(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST)
    if form.is_valid():
        try:
            event = services.event_create(creator=_me(request), **form.cleaned_data)
        except ValidationError as error:
            form_apply_errors(form, error)
        else:
            messages.success(request, "Event created. Share its join link with the room.")
            return redirect("suggestions:event", slug=event.slug)
    return _page(request, event_form=form, status=400)


@login_required
@require_POST
def event_join_by_code(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST)
    if form.is_valid():
        try:
            event = services.event_join(user=_me(request), code=form.cleaned_data["code"])
        except ValidationError as error:
            form_apply_errors(form, error)
        else:
            messages.success(request, f"You joined {event.name}.")
            return redirect("suggestions:event", slug=event.slug)
    return _page(request, join_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def event_join(request: HttpRequest, code: str) -> HttpResponse:
    """The join link: a page saying what you are joining, whose button joins."""
    event = selectors.event_by_code(code)
    if event is None:
        raise Http404("This join link is not valid. Ask for a new one.")
    if request.method == "POST":
        services.event_join(user=_me(request), code=code)
        messages.success(request, f"You joined {event.name}.")
        return redirect("suggestions:event", slug=event.slug)
    if selectors.is_member(event, _me(request)):
        return redirect("suggestions:event", slug=event.slug)
    return render(request, "suggestions/event_join.html", {"event": event, "code": code})


@login_required
@require_GET
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_or_404(slug)
    me = _me(request)
    if not selectors.is_member(event, me):
        # Members, code and posts are for people in the room; the rest only learn it exists.
        return render(
            request,
            "suggestions/event.html",
            {"event": event, "member": False, "join_form": JoinForm()},
        )
    page = timeline_page(request)
    if isinstance(page, HttpResponse):
        return page
    posts = selectors.event_timeline(event, me, page)
    join_path = reverse("suggestions:join", args=[event.join_code])
    context = {
        "event": event,
        "member": True,
        "members": list(selectors.event_members(event)[:500]),
        "join_url": request.build_absolute_uri(join_path),
    }
    return render_timeline(request, "suggestions/event.html", posts, page, context)


@login_required
@require_POST
def event_leave(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_or_404(slug)
    services.event_leave(user=_me(request), event=event)
    messages.success(request, f"You left {event.name}.")
    return redirect("suggestions:who_to_follow")


@login_required
@require_POST
def event_follow_everyone(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_or_404(slug)
    try:
        result = services.follow_everyone_in_event(user=_me(request), event=event)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect("suggestions:event", slug=event.slug)
    parts = [f"You now follow {result.followed} more {_people(result.followed)}"]
    if result.requested:
        parts.append(f"asked to follow {result.requested} locked {_accounts(result.requested)}")
    if result.skipped:
        parts.append(f"skipped {result.skipped} (already followed, requested or unavailable)")
    messages.success(request, "; ".join(parts) + ".")
    return redirect("suggestions:event", slug=event.slug)


def _people(n: int) -> str:
    return "person" if n == 1 else "people"


def _accounts(n: int) -> str:
    return "account" if n == 1 else "accounts"
