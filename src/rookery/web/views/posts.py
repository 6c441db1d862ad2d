"""Writing posts, the thread view, edits and reactions (like, repost, bookmark, accept)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rookery.posts import services as post_services
from rookery.posts.models import Post, Visibility
from rookery.posts.selectors import post_get_for_viewer, thread_context, viewer_state
from rookery.traction.recording import record_impressions
from rookery.web.forms import PostEditForm, PostForm
from rookery.web.views.common import (
    form_apply_errors,
    post_or_404,
    redirect_back,
    viewer_of,
)


def post_url(post: Post) -> str:
    return reverse("web:post", args=[post.author.username, post.pk])


def _post_for_path(request: HttpRequest, username: str, post_id: int) -> Post:
    """The post at /@username/id: the username must be its author's, or it does not exist."""
    post = post_or_404(request, post_id)
    if post.author.username.lower() != username.lower():
        raise Http404("No such post.")
    return post


@login_required
@require_http_methods(["GET", "POST"])
def post_create(request: HttpRequest) -> HttpResponse:
    """The composer's target; on bad input the form comes back with its errors and text."""
    form = PostForm(request.POST or None, initial={"visibility": Visibility.PUBLIC})
    parent = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["in_reply_to"]:
            parent = post_or_404(request, data["in_reply_to"])
        try:
            post = post_services.post_create(
                author=request.user,
                text=data["text"],
                visibility=data["visibility"],
                content_warning=data["content_warning"],
                in_reply_to=parent,
                is_question=data["is_question"],
            )
        except ValidationError as error:
            form_apply_errors(form, error)
        except post_services.RateLimited as error:
            form.add_error(None, str(error))
        else:
            if parent is not None:
                return HttpResponseRedirect(f"{post_url(parent)}#post-{post.pk}")
            return redirect_back(request, reverse("web:home"))
    status = 400 if request.method == "POST" else 200
    return render(request, "web/compose.html", {"form": form, "parent": parent}, status=status)


@require_GET
def post_detail(request: HttpRequest, username: str, post_id: int) -> HttpResponse:
    post = _post_for_path(request, username, post_id)
    if post.reblog_of_id is not None:
        return redirect(post_url(post.reblog_of))
    viewer = viewer_of(request)
    thread = thread_context(post, viewer)
    everything = [*thread.ancestors, post, *thread.descendants]
    record_impressions(request, everything, "thread")
    accepted_ids = {p.accepted_answer_id for p in everything if p.accepted_answer_id}
    reply_form = None
    if viewer is not None:
        mention = f"@{post.author.username} " if post.author_id != viewer.pk else ""
        reply_form = PostForm(
            initial={"visibility": post.visibility, "in_reply_to": post.pk, "text": mention}
        )
    return render(
        request,
        "web/post_detail.html",
        {
            "post": post,
            "ancestors": thread.ancestors,
            "descendants": thread.descendants,
            "state": viewer_state(viewer, everything),
            "accepted_ids": accepted_ids,
            # Only the asker gets "accept" buttons, and only on direct replies to the question.
            "question": post
            if post.is_question and viewer and viewer.pk == post.author_id
            else None,
            "reply_form": reply_form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, username: str, post_id: int) -> HttpResponse:
    post = _post_for_path(request, username, post_id)
    if post.author_id != request.user.pk or post.reblog_of_id is not None:
        raise Http404("No such post.")
    form = PostEditForm(
        request.POST or None, initial={"text": post.text, "content_warning": post.content_warning}
    )
    if request.method == "POST" and form.is_valid():
        try:
            post_services.post_edit(
                post=post,
                editor=request.user,
                text=form.cleaned_data["text"],
                content_warning=form.cleaned_data["content_warning"],
            )
        except ValidationError as error:
            form_apply_errors(form, error)
        else:
            return redirect(post_url(post))
    status = 400 if request.method == "POST" else 200
    return render(request, "web/post_edit.html", {"form": form, "post": post}, status=status)


@require_GET
def post_history(request: HttpRequest, username: str, post_id: int) -> HttpResponse:
    post = _post_for_path(request, username, post_id)
    revisions = list(post.revisions.order_by("-created_at", "-id"))
    return render(request, "web/post_history.html", {"post": post, "revisions": revisions})


@login_required
@require_POST
def post_delete(request: HttpRequest, username: str, post_id: int) -> HttpResponse:
    post = _post_for_path(request, username, post_id)
    parent = post.in_reply_to
    try:
        post_services.post_delete(post=post, actor=request.user)
    except PermissionDenied:
        raise Http404("No such post.") from None
    if request.htmx:
        return HttpResponse("")  # the card swaps itself out
    # "Back" would be the deleted post's own page, so go somewhere that still exists.
    fallback = post_url(parent) if parent is not None else reverse("web:home")
    target = request.POST.get("next", "")
    if target.startswith(reverse("web:post", args=[post.author.username, post_id])):
        return redirect(fallback)
    return redirect_back(request, fallback)


REACTIONS = {
    "like": post_services.like_create,
    "unlike": post_services.like_delete,
    "reblog": post_services.reblog_create,
    "unreblog": post_services.reblog_delete,
    "bookmark": post_services.bookmark_create,
    "unbookmark": post_services.bookmark_delete,
}


@login_required
@require_POST
def post_react(request: HttpRequest, post_id: int, action: str) -> HttpResponse:
    """Like, repost or bookmark (and undo); htmx gets the re-rendered card back."""
    if action not in REACTIONS:
        raise Http404("No such action.")
    post = post_or_404(request, post_id)
    try:
        result = REACTIONS[action](user=request.user, post=post)
    except PermissionDenied as error:
        if request.htmx:
            return HttpResponse(str(error), status=403)
        raise
    viewer = viewer_of(request)
    # Undoing a repost from one's own repost card deletes that card's post: show the original.
    card = post_get_for_viewer(post_id, viewer) or post_get_for_viewer(result.pk, viewer)
    if card is None:
        raise Http404("No such post.")
    return _card_or_back(request, card)


@login_required
@require_POST
def answer_accept(request: HttpRequest, post_id: int) -> HttpResponse:
    question = post_or_404(request, post_id)
    answer = None
    answer_id = request.POST.get("answer", "")
    if answer_id:
        if not answer_id.isdigit():
            raise Http404("No such post.")
        answer = post_or_404(request, int(answer_id))
    try:
        post_services.answer_accept(question=question, answer=answer, user=request.user)
    except (PermissionDenied, ValidationError):
        raise PermissionDenied("Only the asker can accept a direct reply.") from None
    anchor = f"post-{answer.pk}" if answer else f"post-{question.pk}"
    return redirect_back(request, post_url(question), anchor)


def _card_or_back(request: HttpRequest, post: Post) -> HttpResponse:
    if not request.htmx:
        return redirect_back(request, post_url(post.reblog_of or post), f"post-{post.pk}")
    return render(
        request,
        "web/partials/post_card.html",
        {
            "post": post,
            "state": viewer_state(viewer_of(request), [post]),
            "back": request.POST.get("next", ""),
        },
    )
