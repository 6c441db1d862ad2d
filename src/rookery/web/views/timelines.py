"""Landing page and the timelines: home, local public, hashtag, bookmarks."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from rookery.posts.models import Visibility
from rookery.timelines.selectors import (
    Page,
    PageError,
    new_posts_count,
    timeline_hashtag,
    timeline_home,
    timeline_public,
)
from rookery.traction.recording import record_impressions
from rookery.web.forms import PostForm
from rookery.web.selectors import bookmarked_posts
from rookery.web.views.common import (
    bad_request,
    posts_context,
    render_timeline,
    timeline_page,
    viewer_of,
)

LANDING_PREVIEW = 5


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:home")
    posts = timeline_public(None, Page(limit=LANDING_PREVIEW))
    return render(request, "web/landing.html", posts_context(request, posts))


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    page = timeline_page(request)
    if isinstance(page, HttpResponse):
        return page
    posts = timeline_home(request.user, page)
    record_impressions(request, posts, "timeline")
    form = PostForm(initial={"visibility": Visibility.PUBLIC})
    return render_timeline(
        request,
        "web/home.html",
        posts,
        page,
        {"form": form, "top_id": posts[0].pk if posts else 0},
    )


@login_required
@require_GET
def home_new(request: HttpRequest) -> HttpResponse:
    """Polled by the home page: the "N new posts" link, or nothing."""
    try:
        since = Page.parse(since_id=request.GET.get("since_id")).since_id or 0
    except PageError as error:
        return bad_request(request, str(error))
    count = new_posts_count(request.user, since)
    return render(request, "web/partials/new_posts.html", {"count": count})


@require_GET
def public(request: HttpRequest) -> HttpResponse:
    page = timeline_page(request)
    if isinstance(page, HttpResponse):
        return page
    posts = timeline_public(viewer_of(request), page)
    record_impressions(request, posts, "timeline")
    return render_timeline(request, "web/timeline.html", posts, page, {"title": "Local timeline"})


@require_GET
def hashtag(request: HttpRequest, tag: str) -> HttpResponse:
    page = timeline_page(request)
    if isinstance(page, HttpResponse):
        return page
    posts = timeline_hashtag(viewer_of(request), tag, page)
    record_impressions(request, posts, "timeline")
    return render_timeline(
        request, "web/timeline.html", posts, page, {"title": f"#{tag.lower()}", "tag": tag.lower()}
    )


@login_required
@require_GET
def bookmarks(request: HttpRequest) -> HttpResponse:
    page = timeline_page(request)
    if isinstance(page, HttpResponse):
        return page
    posts, cursor = bookmarked_posts(request.user, page)
    context = posts_context(request, posts, title="Bookmarks")
    context["next_url"] = f"{request.path}?max_id={cursor}" if cursor else None
    template = (
        "web/partials/posts_page.html" if request.htmx and page.max_id else "web/timeline.html"
    )
    return render(request, template, context)
