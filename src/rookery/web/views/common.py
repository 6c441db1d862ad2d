"""Helpers every web view uses: pagination, visibility-checked lookups, redirects back."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from rookery.accounts.models import User
from rookery.accounts.selectors import user_by_username
from rookery.posts.models import Post
from rookery.posts.selectors import post_get_for_viewer, viewer_state
from rookery.timelines.selectors import Page, PageError


def viewer_of(request: HttpRequest) -> User | None:
    return request.user if request.user.is_authenticated else None  # type: ignore[return-value]


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "web/400.html", {"message": message}, status=400)


def parse_page(request: HttpRequest) -> Page:
    """Pagination from the query string; raises PageError, which callers answer with 400."""
    return Page.parse(
        max_id=request.GET.get("max_id"),
        since_id=request.GET.get("since_id"),
        min_id=request.GET.get("min_id"),
        limit=request.GET.get("limit"),
    )


def profile_or_404(request: HttpRequest, username: str) -> User:
    user = user_by_username(username, viewer=viewer_of(request))
    if user is None:
        raise Http404("No such account.")
    return user


def post_or_404(request: HttpRequest, post_id: int) -> Post:
    """The post if the viewer may see it; otherwise the same 404 as for a post that never was."""
    post = post_get_for_viewer(post_id, viewer_of(request))
    if post is None:
        raise Http404("No such post.")
    return post


def safe_next(request: HttpRequest, fallback: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def redirect_back(
    request: HttpRequest, fallback: str | None = None, anchor: str = ""
) -> HttpResponse:
    target = safe_next(request, fallback or reverse("web:home"))
    if anchor and "#" not in target:
        target = f"{target}#{anchor}"
    return HttpResponseRedirect(target)


def posts_context(request: HttpRequest, posts: list[Post], **extra: Any) -> dict[str, Any]:
    """What the post-card partial needs: the posts and which of them the viewer reacted to."""
    return {"posts": posts, "state": viewer_state(viewer_of(request), posts), **extra}


def render_timeline(
    request: HttpRequest,
    template: str,
    posts: list[Post],
    page: Page,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """A page of posts; htmx's infinite scroll gets only the next cards and the next loader."""
    next_url = None
    if posts:
        query = request.GET.copy()
        query["max_id"] = str(posts[-1].pk)
        query.pop("since_id", None)
        query.pop("min_id", None)
        next_url = f"{request.path}?{query.urlencode()}"
    data = posts_context(request, posts, next_url=next_url, page=page, **(context or {}))
    if request.htmx and page.max_id is not None:
        response = render(request, "web/partials/posts_page.html", data)
    else:
        response = render(request, template, data)
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def timeline_page(request: HttpRequest) -> Page | HttpResponse:
    try:
        return parse_page(request)
    except PageError as error:
        return bad_request(request, str(error))


def form_apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the matching form fields (others go on top)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item.messages)
    else:
        form.add_error(None, error.messages)


def htmx_or_redirect(
    request: HttpRequest, template: str, context: dict[str, Any], fallback: str, anchor: str = ""
) -> HttpResponse:
    """htmx swaps the re-rendered fragment in place; a plain form post goes back where it was."""
    if request.htmx:
        return render(request, template, context)
    return redirect_back(request, fallback, anchor)
