"""The Blog page: feeds and their health, drafts with a live preview, promotion history."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from rookery.accounts.models import User
from rookery.feeds import polling, selectors, services
from rookery.feeds.forms import FeedAddForm, FeedSettingsForm, PromotionForm
from rookery.feeds.models import Feed, Promotion
from rookery.posts.rendering import render_post, text_length


def _owner(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _feed_or_404(request: HttpRequest, feed_id: int) -> Feed:
    feed = selectors.feed_of(_owner(request), feed_id)
    if feed is None:
        raise Http404("No such feed.")
    return feed


def _promotion_or_404(request: HttpRequest, promotion_id: int) -> Promotion:
    promotion = selectors.promotion_of(_owner(request), promotion_id)
    if promotion is None:
        raise Http404("No such promotion.")
    return promotion


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _settings_form(feed: Feed) -> FeedSettingsForm:
    return FeedSettingsForm(
        initial={
            "mode": feed.mode,
            "schedule_time": feed.schedule_time,
            "template": feed.template,
            "visibility": feed.visibility,
        },
        prefix=f"feed{feed.pk}",
    )


def _blog_page(
    request: HttpRequest, add_form: FeedAddForm | None = None, status: int = 200
) -> HttpResponse:
    owner = _owner(request)
    feeds = list(selectors.feeds_of(owner))
    return render(
        request,
        "feeds/blog.html",
        {
            "feeds": [(feed, _settings_form(feed)) for feed in feeds],
            "add_form": add_form or FeedAddForm(),
            "drafts": selectors.promotions_open(owner),
            "history": selectors.promotions_published(owner),
            "past": selectors.promotions_past(owner),
        },
        status=status,
    )


@login_required
def blog(request: HttpRequest) -> HttpResponse:
    return _blog_page(request)


@login_required
@require_POST
def feed_add(request: HttpRequest) -> HttpResponse:
    form = FeedAddForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            feed = polling.feed_add(
                owner=_owner(request),
                url=data["url"],
                mode=data["mode"],
                template=data["template"],
                visibility=data["visibility"],
                schedule_time=data["schedule_time"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Added “{feed}”. New articles will appear here as drafts.")
            return redirect("feeds:blog")
    return _blog_page(request, add_form=form, status=400)


@login_required
@require_POST
def feed_settings(request: HttpRequest, feed_id: int) -> HttpResponse:
    feed = _feed_or_404(request, feed_id)
    form = FeedSettingsForm(request.POST, prefix=f"feed{feed.pk}")
    if form.is_valid():
        try:
            services.feed_update(feed=feed, actor=_owner(request), **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Feed settings saved.")
    else:
        messages.error(request, "Check the feed settings: " + form.errors.as_text())
    return redirect("feeds:blog")


@login_required
@require_POST
def feed_action(request: HttpRequest, feed_id: int, action: str) -> HttpResponse:
    feed = _feed_or_404(request, feed_id)
    owner = _owner(request)
    if action == "check":
        feed = services.feed_check_now(feed=feed, actor=owner)
        messages.success(request, f"Checking “{feed}”.")
    elif action == "resume":
        services.feed_resume(feed=feed, actor=owner)
        messages.success(request, f"Resumed “{feed}”.")
    elif action == "delete":
        services.feed_delete(feed=feed, actor=owner)
        messages.success(request, f"Removed “{feed}”. Published posts stay.")
    else:
        raise Http404("No such action.")
    return redirect("feeds:blog")


def _preview_context(text: str) -> dict[str, Any]:
    rendered = render_post(
        text,
        mention_url=lambda name: None,
        hashtag_url=lambda tag: reverse("web:hashtag", args=[tag]),
    )
    length = text_length(text)
    return {
        "preview_html": rendered.html,
        "length": length,
        "max_chars": settings.POST_MAX_CHARS,
        "over": length > settings.POST_MAX_CHARS,
    }


def _promotion_page(
    request: HttpRequest, promotion: Promotion, form: PromotionForm, status: int = 200
) -> HttpResponse:
    text = form.data.get("text", promotion.text) if form.is_bound else promotion.text
    context = {"promotion": promotion, "form": form, **_preview_context(text)}
    return render(request, "feeds/promotion.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def promotion_edit(request: HttpRequest, promotion_id: int) -> HttpResponse:
    """Edit a draft; the buttons save, preview (without JavaScript), publish, schedule, discard."""
    promotion = _promotion_or_404(request, promotion_id)
    if request.method == "GET":
        form = PromotionForm(initial={"text": promotion.text, "publish_at": promotion.publish_at})
        return _promotion_page(request, promotion, form)
    form = PromotionForm(request.POST)
    action = request.POST.get("action", "save")
    if action == "preview" or not form.is_valid():
        return _promotion_page(request, promotion, form, status=200 if form.is_valid() else 400)
    owner = _owner(request)
    try:
        if action == "discard":
            services.promotion_discard(promotion=promotion, actor=owner)
            messages.success(request, "Draft discarded. You can still promote it later.")
            return redirect("feeds:blog")
        promotion = services.promotion_update(
            promotion=promotion, actor=owner, text=form.cleaned_data["text"]
        )
        if action == "publish":
            promotion = services.promotion_publish(promotion_id=promotion.pk, actor=owner)
            messages.success(request, "Published.")
            return redirect("feeds:blog")
        if action == "schedule":
            publish_at = form.cleaned_data["publish_at"]
            if publish_at is None:
                raise ValidationError({"publish_at": "Choose when to publish."})
            services.promotion_schedule(promotion=promotion, actor=owner, publish_at=publish_at)
            messages.success(request, "Scheduled.")
            return redirect("feeds:blog")
    except ValidationError as error:
        _add_errors(form, error)
        promotion.refresh_from_db()
        return _promotion_page(request, promotion, form, status=400)
    messages.success(request, "Draft saved.")
    return redirect("feeds:promotion", promotion_id=promotion.pk)


@login_required
@require_POST
def promotion_preview(request: HttpRequest, promotion_id: int) -> HttpResponse:
    """The preview partial, re-rendered by htmx as the owner types."""
    _promotion_or_404(request, promotion_id)
    return render(request, "feeds/_preview.html", _preview_context(request.POST.get("text", "")))


@login_required
@require_POST
def promotion_promote(request: HttpRequest, promotion_id: int) -> HttpResponse:
    """Draft a past article by hand."""
    promotion = _promotion_or_404(request, promotion_id)
    try:
        promotion = polling.promotion_draft(promotion=promotion, actor=_owner(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("feeds:blog")
    return redirect("feeds:promotion", promotion_id=promotion.pk)
