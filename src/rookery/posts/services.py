"""Writing posts and reactions. The only code that creates, edits or deletes them."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from rookery.accounts.models import User
from rookery.core import ratelimit
from rookery.core.tasks import after_commit
from rookery.notifications.models import NotificationKind
from rookery.notifications.services import notify
from rookery.posts.models import (
    Bookmark,
    Hashtag,
    Like,
    LinkCard,
    MediaAttachment,
    Post,
    PostRevision,
    Visibility,
)
from rookery.posts.rendering import MENTION_RE, Rendered, render_post, text_length
from rookery.posts.selectors import can_see, card_cache_key, status_cache_key
from rookery.posts.tasks import link_card_fetch
from rookery.social.selectors import is_blocked_either_way
from rookery.timelines.services import fanout_start
from rookery.traction.links import links_attach


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"You are posting too fast; try again in {retry_after} s.")
        self.retry_after = retry_after


def _render(text: str) -> Rendered:
    typed = [match.group(1) for match in MENTION_RE.finditer(text)]
    existing = {
        u.username.lower(): u.username for u in User.objects.active().filter(username__in=typed)
    }
    return render_post(
        text,
        mention_url=lambda name: (
            reverse("web:profile", args=[existing[name.lower()]])
            if name.lower() in existing
            else None
        ),
        hashtag_url=lambda tag: reverse("web:hashtag", args=[tag]),
    )


def _validate_text(text: str, content_warning: str, *, has_media: bool) -> str:
    text = text.strip()
    if not text and not has_media:
        raise ValidationError({"text": "Write something first."})
    length = text_length(text) + len(content_warning)
    if length > settings.POST_MAX_CHARS:
        raise ValidationError(
            {"text": f"Posts are at most {settings.POST_MAX_CHARS} characters; this is {length}."}
        )
    return text


def _apply_rendering(post: Post, rendered: Rendered) -> None:
    post.html = rendered.html
    post.first_url = rendered.urls[0] if rendered.urls else ""
    if post.first_url:
        post.link_card, _ = LinkCard.objects.get_or_create(url=post.first_url[:2000])
    else:
        post.link_card = None


def _link_tags_and_mentions(post: Post, rendered: Rendered) -> list[User]:
    tags = [Hashtag.objects.get_or_create(name=name[:100])[0] for name in rendered.hashtags]
    post.hashtags.set(tags)
    mentioned = list(
        User.objects.active().filter(username__in=rendered.mentions).exclude(pk=post.author_id)
    )
    post.mentions.set(mentioned)
    return mentioned


def post_create(
    *,
    author: User,
    text: str,
    visibility: str = Visibility.PUBLIC,
    content_warning: str = "",
    in_reply_to: Post | None = None,
    is_question: bool = False,
    media_ids: list[int] | None = None,
    idempotency_key: str | None = None,
    created_at=None,
    rate_limit: bool = True,
) -> Post:
    """Publish a post (or reply) and schedule its delivery, link card and notifications.

    With ``idempotency_key`` a retried request returns the post the first attempt made.
    """
    if idempotency_key:
        existing = Post.objects.filter(author=author, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": f"Unknown visibility {visibility!r}."})
    content_warning = content_warning.strip()[:200]
    media = list(
        MediaAttachment.objects.filter(owner=author, post__isnull=True, pk__in=media_ids or [])
    )
    if media_ids and len(media) != len(set(media_ids)):
        raise ValidationError({"media_ids": "Unknown or already used media."})
    if len(media) > 4:
        raise ValidationError({"media_ids": "At most 4 images per post."})
    text = _validate_text(text, content_warning, has_media=bool(media))
    if in_reply_to is not None:
        if not can_see(author, in_reply_to) or is_blocked_either_way(
            author.pk, in_reply_to.author_id
        ):
            raise ValidationError({"in_reply_to": "That post does not exist."})
        if in_reply_to.reblog_of_id is not None:
            in_reply_to = in_reply_to.reblog_of
    if rate_limit:
        result = ratelimit.hit("post", str(author.pk), rate=settings.POST_RATE)
        if not result.allowed:
            raise RateLimited(result.retry_after)
    rendered = _render(text)
    try:
        with transaction.atomic():
            post = Post(
                author=author,
                text=text,
                content_warning=content_warning,
                visibility=visibility,
                in_reply_to=in_reply_to,
                in_reply_to_author_id=in_reply_to.author_id if in_reply_to else None,
                thread_root_id=(
                    (in_reply_to.thread_root_id or in_reply_to.pk) if in_reply_to else None
                ),
                is_question=is_question,
                idempotency_key=idempotency_key or None,
                created_at=created_at or timezone.now(),
            )
            _apply_rendering(post, rendered)
            post.save()
            links_attach(post)
            mentioned = _link_tags_and_mentions(post, rendered)
            for item in media:
                item.post = post
                item.save(update_fields=["post"])
            User.objects.filter(pk=author.pk).update(posts_count=F("posts_count") + 1)
            if in_reply_to is not None:
                Post.objects.filter(pk=in_reply_to.pk).update(replies_count=F("replies_count") + 1)
            _schedule_delivery(post)
            _notify_post(post, mentioned)
    except IntegrityError:
        # Two requests with one Idempotency-Key raced; the other one won.
        if idempotency_key:
            return Post.objects.get(author=author, idempotency_key=idempotency_key)
        raise
    return post


def _notify_post(post: Post, mentioned: list[User]) -> None:
    notified: set[int] = set()
    parent = post.in_reply_to
    if parent is not None and parent.author_id != post.author_id:
        notify(
            recipient_id=parent.author_id, actor=post.author, kind=NotificationKind.REPLY, post=post
        )
        notified.add(parent.author_id)
    for user in mentioned:
        if user.pk not in notified and can_see(user, post):
            notify(
                recipient_id=user.pk, actor=post.author, kind=NotificationKind.MENTION, post=post
            )


def _schedule_delivery(post: Post) -> None:
    fanout_start(post)
    _fetch_card_after_commit(post)


def _fetch_card_after_commit(post: Post) -> None:
    """Queue the preview of the post's first link unless another post already fetched it."""
    if post.link_card_id is None or post.link_card.status == LinkCard.Status.OK:
        return
    card_id = post.link_card_id
    after_commit(lambda: link_card_fetch(card_id))


@transaction.atomic
def post_edit(*, post: Post, editor: User, text: str, content_warning: str = "") -> Post:
    """Change a post's text, keeping the previous version in its history."""
    if post.author_id != editor.pk:
        raise PermissionDenied("Only the author can edit a post.")
    if post.reblog_of_id is not None:
        raise ValidationError({"text": "A repost can't be edited."})
    content_warning = content_warning.strip()[:200]
    text = _validate_text(text, content_warning, has_media=post.media.exists())
    if not post.revisions.exists():
        PostRevision.objects.create(
            post=post,
            text=post.text,
            html=post.html,
            content_warning=post.content_warning,
            created_at=post.created_at,
        )
    rendered = _render(text)
    post.text = text
    post.content_warning = content_warning
    post.edited_at = timezone.now()
    _apply_rendering(post, rendered)
    post.save()
    links_attach(post)
    _link_tags_and_mentions(post, rendered)
    PostRevision.objects.create(
        post=post,
        text=post.text,
        html=post.html,
        content_warning=content_warning,
        created_at=post.edited_at,
    )
    _fetch_card_after_commit(post)
    return post


@transaction.atomic
def post_delete(*, post: Post, actor: User) -> None:
    """Delete a post (by its author, or by a moderator through the moderation service)."""
    if post.author_id != actor.pk and not actor.is_staff:
        raise PermissionDenied("Only the author can delete a post.")
    if post.reblog_of_id is None:  # reposts never counted as the reposter's posts
        User.objects.filter(pk=post.author_id, posts_count__gt=0).update(
            posts_count=F("posts_count") - 1
        )
    if post.in_reply_to_id is not None:
        Post.objects.filter(pk=post.in_reply_to_id, replies_count__gt=0).update(
            replies_count=F("replies_count") - 1
        )
    if post.reblog_of_id is not None:
        Post.objects.filter(pk=post.reblog_of_id, reblogs_count__gt=0).update(
            reblogs_count=F("reblogs_count") - 1
        )
    post_id = post.pk
    post.delete()
    # Nothing reads a deleted post's renderings again; this only frees the memory.
    cache.delete_many([status_cache_key(post_id), card_cache_key(post_id)])


def _renderings_drop(post_id: int) -> None:
    """Forget the cached renderings of a post and of its reposts (whose cards include it).

    For changes made in place that move none of the stamps ``post_version`` reads.
    """
    ids = [post_id, *Post.objects.filter(reblog_of_id=post_id).values_list("pk", flat=True)]
    cache.delete_many([key for i in ids for key in (status_cache_key(i), card_cache_key(i))])


def _interaction_target(user: User, post: Post) -> Post:
    """The post a like/repost/bookmark lands on: the original when given a repost."""
    target = post.reblog_of if post.reblog_of_id is not None else post
    if not can_see(user, target) or is_blocked_either_way(user.pk, target.author_id):
        raise PermissionDenied("You can't interact with this post.")
    return target


def like_create(*, user: User, post: Post) -> Post:
    target = _interaction_target(user, post)
    with transaction.atomic():
        _like, created = Like.objects.get_or_create(user=user, post=target)
        if created:
            Post.objects.filter(pk=target.pk).update(likes_count=F("likes_count") + 1)
            notify(
                recipient_id=target.author_id,
                actor=user,
                kind=NotificationKind.FAVOURITE,
                post=target,
            )
    target.refresh_from_db(fields=["likes_count"])
    return target


def like_delete(*, user: User, post: Post) -> Post:
    target = post.reblog_of if post.reblog_of_id is not None else post
    with transaction.atomic():
        deleted, _ = Like.objects.filter(user=user, post=target).delete()
        if deleted:
            Post.objects.filter(pk=target.pk, likes_count__gt=0).update(
                likes_count=F("likes_count") - 1
            )
    target.refresh_from_db(fields=["likes_count"])
    return target


def reblog_create(*, user: User, post: Post, visibility: str = Visibility.PUBLIC) -> Post:
    """Repost ``post`` to one's followers; reposting twice returns the first repost."""
    target = _interaction_target(user, post)
    if target.visibility not in (Visibility.PUBLIC, Visibility.UNLISTED):
        raise PermissionDenied("Only public posts can be reposted.")
    existing = Post.objects.filter(author=user, reblog_of=target).first()
    if existing is not None:
        return existing
    if visibility not in (Visibility.PUBLIC, Visibility.UNLISTED, Visibility.FOLLOWERS):
        visibility = Visibility.PUBLIC
    try:
        with transaction.atomic():
            reblog = Post.objects.create(
                author=user, reblog_of=target, visibility=visibility, created_at=timezone.now()
            )
            Post.objects.filter(pk=target.pk).update(reblogs_count=F("reblogs_count") + 1)
            notify(
                recipient_id=target.author_id, actor=user, kind=NotificationKind.REBLOG, post=target
            )
            fanout_start(reblog)
    except IntegrityError:
        return Post.objects.get(author=user, reblog_of=target)
    return reblog


def reblog_delete(*, user: User, post: Post) -> Post:
    target = post.reblog_of if post.reblog_of_id is not None else post
    reblog = Post.objects.filter(author=user, reblog_of=target).first()
    if reblog is not None:
        post_delete(post=reblog, actor=user)
    target.refresh_from_db(fields=["reblogs_count"])
    return target


def bookmark_create(*, user: User, post: Post) -> Post:
    target = _interaction_target(user, post)
    Bookmark.objects.get_or_create(user=user, post=target)
    return target


def bookmark_delete(*, user: User, post: Post) -> Post:
    target = post.reblog_of if post.reblog_of_id is not None else post
    Bookmark.objects.filter(user=user, post=target).delete()
    return target


@transaction.atomic
def answer_accept(*, question: Post, answer: Post | None, user: User) -> Post:
    """The asker marks the reply that solved it (None clears the mark)."""
    if question.author_id != user.pk:
        raise PermissionDenied("Only the person who asked can accept an answer.")
    if not question.is_question:
        raise ValidationError({"question": "This post is not a question."})
    if answer is not None and answer.in_reply_to_id != question.pk:
        raise ValidationError({"answer": "Only a direct reply can be the accepted answer."})
    question.accepted_answer = answer
    question.save(update_fields=["accepted_answer"])
    if answer is not None and answer.author_id != user.pk:
        notify(
            recipient_id=answer.author_id,
            actor=user,
            kind=NotificationKind.ACCEPTED_ANSWER,
            post=answer,
        )
    return question


# --- Media ----------------------------------------------------------------------------------

MEDIA_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
# A large phone photo is ~50 MP; more than this is a decompression bomb, not a picture.
MEDIA_MAX_PIXELS = 60_000_000
MEDIA_LONG_SIDE = 2560  # stored images are scaled down to this; nobody views more
MEDIA_THUMB_LONG_SIDE = 640


def _media_encode(image, *, long_side: int) -> tuple[bytes, str]:  # type: ignore[no-untyped-def]
    import io

    from PIL import Image

    image = image.copy()
    image.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if image.mode == "RGBA":
        image.save(out, format="PNG", optimize=True)
        return out.getvalue(), "png"
    image.save(out, format="JPEG", quality=88, optimize=True)
    return out.getvalue(), "jpg"


def _media_open(data: bytes):  # type: ignore[no-untyped-def]
    """Open an upload as pixels, judged by content, never by its name or declared type."""
    import io
    import warnings

    from PIL import Image, ImageOps, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=MEDIA_FORMATS)
            width, height = image.size
            if width < 1 or height < 1 or width * height > MEDIA_MAX_PIXELS:
                raise ValidationError({"file": f"The image is {width}x{height} pixels; too large."})
            image.seek(0)  # first frame of an animated GIF or WebP
            image.load()
            image = ImageOps.exif_transpose(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValidationError({"file": "The image claims to be far too large."}) from None
        except UnidentifiedImageError:
            raise ValidationError({"file": "Upload a PNG, JPEG, GIF or WebP image."}) from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise ValidationError({"file": "The image file is damaged or incomplete."}) from None
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    # Re-encoding from pixels drops EXIF (location) and anything appended to the file.
    return image.convert("RGBA" if has_alpha else "RGB")


def media_create(*, owner: User, upload, description: str = "") -> MediaAttachment:  # type: ignore[no-untyped-def]
    """Store an uploaded image (not yet attached to a post) and its thumbnail."""
    import secrets

    from django.core.files.base import ContentFile

    too_big = ValidationError(
        {"file": f"Images are at most {settings.MEDIA_MAX_BYTES / 1_000_000:g} MB."}
    )
    if (upload.size or 0) > settings.MEDIA_MAX_BYTES:
        raise too_big
    # Read one byte past the cap: the declared size of an upload is the client's word only.
    data = upload.read(settings.MEDIA_MAX_BYTES + 1)
    if len(data) > settings.MEDIA_MAX_BYTES:
        raise too_big
    if not data:
        raise ValidationError({"file": "The file is empty."})
    if len(description) > 1500:
        raise ValidationError({"description": "Descriptions are at most 1500 characters."})
    image = _media_open(data)
    content, extension = _media_encode(image, long_side=MEDIA_LONG_SIDE)
    thumb, thumb_extension = _media_encode(image, long_side=MEDIA_THUMB_LONG_SIDE)
    name = f"{owner.pk}-{secrets.token_hex(8)}"
    media = MediaAttachment(owner=owner, description=description.strip())
    width, height = image.size
    scale = min(1.0, MEDIA_LONG_SIDE / max(width, height))
    media.width, media.height = round(width * scale), round(height * scale)
    media.file.save(f"{name}.{extension}", ContentFile(content), save=False)
    media.thumbnail.save(f"{name}.{thumb_extension}", ContentFile(thumb), save=False)
    media.save()
    return media


def media_update(*, media: MediaAttachment, owner: User, description: str) -> MediaAttachment:
    """Change an image's description (alt text); only its owner may."""
    if media.owner_id != owner.pk:
        raise PermissionDenied("Only the uploader can change this image.")
    if len(description) > 1500:
        raise ValidationError({"description": "Descriptions are at most 1500 characters."})
    media.description = description.strip()
    media.save(update_fields=["description"])
    if media.post_id is not None:
        # Alt text shows in the post's status and card; no version stamp tracks it.
        _renderings_drop(media.post_id)
    return media
