"""Profiles, follower lists, follow/block/mute buttons, follow requests and reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rookery.accounts.models import User
from rookery.moderation.services import report_create
from rookery.social import selectors as social_selectors
from rookery.social import services as social_services
from rookery.timelines.selectors import timeline_profile
from rookery.traction.recording import record_impressions, record_profile_visit
from rookery.web.forms import MUTE_DURATIONS, MuteForm, ReportForm
from rookery.web.views.common import (
    bad_request,
    htmx_or_redirect,
    post_or_404,
    profile_or_404,
    redirect_back,
    render_timeline,
    timeline_page,
    viewer_of,
)

LIST_PAGE_SIZE = 40


def _relationship(viewer: User | None, other: User) -> dict[str, bool]:
    if viewer is None or viewer.pk == other.pk:
        return {}
    return social_selectors.relationships(viewer, [other.pk])[other.pk]


def _profile(request: HttpRequest, username: str, *, with_replies: bool) -> HttpResponse:
    owner = profile_or_404(request, username)
    page = timeline_page(request)
    if isinstance(page, HttpResponse):
        return page
    viewer = viewer_of(request)
    rel = _relationship(viewer, owner)
    # Someone who blocked the viewer shows a bare profile: nothing they posted is readable.
    posts = (
        []
        if rel.get("blocked_by")
        else timeline_profile(viewer, owner, page, exclude_replies=not with_replies)
    )
    record_impressions(request, posts, "profile")
    record_profile_visit(request, owner)
    return render_timeline(
        request,
        "web/profile.html",
        posts,
        page,
        {
            "owner": owner,
            "rel": rel,
            "topics": list(owner.topics.order_by("name")),
            "tab": "replies" if with_replies else "posts",
            "follows_visible": social_selectors.follow_lists_visible(owner, viewer),
            "mute_form": MuteForm(),
        },
    )


@require_GET
def profile(request: HttpRequest, username: str) -> HttpResponse:
    return _profile(request, username, with_replies=False)


@require_GET
def profile_replies(request: HttpRequest, username: str) -> HttpResponse:
    return _profile(request, username, with_replies=True)


def _people_list(request: HttpRequest, username: str, which: str) -> HttpResponse:
    owner = profile_or_404(request, username)
    viewer = viewer_of(request)
    if not social_selectors.follow_lists_visible(owner, viewer):
        return render(request, "web/people.html", {"owner": owner, "which": which, "hidden": True})
    people = (
        social_selectors.followers_of(owner)
        if which == "followers"
        else social_selectors.following_of(owner)
    ).filter(is_active=True, suspended_at__isnull=True)
    try:
        page = Paginator(people, LIST_PAGE_SIZE).page(request.GET.get("page") or 1)
    except (PageNotAnInteger, EmptyPage):
        return bad_request(request, "There is no such page of this list.")
    return render(request, "web/people.html", {"owner": owner, "which": which, "page": page})


@require_GET
def followers(request: HttpRequest, username: str) -> HttpResponse:
    return _people_list(request, username, "followers")


@require_GET
def following(request: HttpRequest, username: str) -> HttpResponse:
    return _people_list(request, username, "following")


def _apply_relationship(request: HttpRequest, action: str, other: User) -> None:
    me = request.user
    if action == "follow":
        social_services.follow_create(follower=me, followee=other)
    elif action == "unfollow":
        social_services.follow_delete(follower=me, followee=other)
    elif action == "block":
        social_services.block_create(blocker=me, blocked=other)
    elif action == "unblock":
        social_services.block_delete(blocker=me, blocked=other)
    elif action == "mute":
        form = MuteForm(request.POST)
        if not form.is_valid():
            raise ValidationError("Choose how long to mute for.")
        duration = MUTE_DURATIONS[form.cleaned_data["duration"] or ""]
        social_services.mute_create(
            muter=me,
            muted=other,
            hide_notifications=form.cleaned_data["hide_notifications"],
            expires_at=timezone.now() + duration if duration else None,
        )
    elif action == "unmute":
        social_services.mute_delete(muter=me, muted=other)
    else:
        raise Http404("No such action.")


@login_required
@require_POST
def relationship(request: HttpRequest, username: str, action: str) -> HttpResponse:
    other = profile_or_404(request, username)
    try:
        _apply_relationship(request, action, other)
    except (ValidationError, PermissionDenied) as error:
        message = error.messages[0] if isinstance(error, ValidationError) else str(error)
        if request.htmx:
            return HttpResponse(message, status=400)
        messages.error(request, message)
        return redirect_back(request, reverse("web:profile", args=[other.username]))
    context = {
        "target": other,
        "rel": _relationship(request.user, other),
        "back": request.POST.get("next", ""),
    }
    return htmx_or_redirect(
        request,
        "web/partials/follow_button.html",
        context,
        reverse("web:profile", args=[other.username]),
    )


@login_required
@require_GET
def follow_requests(request: HttpRequest) -> HttpResponse:
    pending = list(social_selectors.pending_requests(request.user)[:200])
    return render(request, "web/follow_requests.html", {"pending": pending})


@login_required
@require_POST
def follow_request_decide(request: HttpRequest, username: str, decision: str) -> HttpResponse:
    requester = profile_or_404(request, username)
    decide = {
        "approve": social_services.follow_request_approve,
        "reject": social_services.follow_request_reject,
    }.get(decision)
    if decide is None:
        raise Http404("No such decision.")
    try:
        decide(target=request.user, requester=requester)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        verb = "approved" if decision == "approve" else "declined"
        messages.success(request, f"You {verb} @{requester.username}'s request.")
    if request.htmx:
        return HttpResponse("")
    return redirect("web:follow_requests")


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, username: str) -> HttpResponse:
    account = profile_or_404(request, username)
    if account.pk == request.user.pk:
        raise Http404("You can't report yourself.")
    post = None
    post_id = request.POST.get("post") or request.GET.get("post") or ""
    if post_id:
        if not post_id.isdigit():
            return bad_request(request, "post must be a post id")
        post = post_or_404(request, int(post_id))
        if post.author_id != account.pk:
            raise Http404("No such post.")
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report_create(
                reporter=request.user,
                account=account,
                post=post,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, "Thank you. The moderators will look at your report.")
            return redirect("web:profile", username=account.username)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "web/report.html", {"form": form, "account": account, "post": post}, status=status
    )
