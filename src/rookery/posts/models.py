from __future__ import annotations

from django.conf import settings
from django.db import models


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    UNLISTED = "unlisted", "Unlisted"  # on profiles and home timelines, not on public timelines
    FOLLOWERS = "followers", "Followers only"
    MENTIONED = "mentioned", "Mentioned people only"


class Hashtag(models.Model):
    name = models.CharField(max_length=100, unique=True, help_text="Lower-case, without '#'.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"#{self.name}"


class LinkCard(models.Model):
    """Preview of a URL, fetched once per URL in the background and shared by every post."""

    class Status(models.TextChoices):
        PENDING = "pending"
        OK = "ok"
        FAILED = "failed"

    url = models.URLField(max_length=2000, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    title = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    image_url = models.URLField(max_length=2000, blank=True)
    site_name = models.CharField(max_length=200, blank=True)
    domain = models.CharField(max_length=255, blank=True)
    error = models.CharField(max_length=300, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.url


class PostQuerySet(models.QuerySet["Post"]):
    def originals(self) -> PostQuerySet:
        return self.filter(reblog_of__isnull=True)

    def public(self) -> PostQuerySet:
        return self.filter(visibility=Visibility.PUBLIC)

    def tagged_with(self, name: str) -> PostQuerySet:
        return self.filter(hashtags__name=name.lower())


class Post(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    text = models.TextField(blank=True, help_text="What the author typed (light Markdown).")
    html = models.TextField(blank=True, help_text="Sanitised HTML rendered from text.")
    content_warning = models.CharField(max_length=200, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    in_reply_to_author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Root of the conversation; a thread view fetches by this instead of walking the tree.
    thread_root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="thread_posts"
    )
    reblog_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="reblogs"
    )
    is_question = models.BooleanField(default=False)
    accepted_answer = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hashtags = models.ManyToManyField(Hashtag, blank=True, related_name="posts")
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in"
    )
    first_url = models.URLField(max_length=2000, blank=True)
    link_card = models.ForeignKey(
        LinkCard, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    replies_count = models.PositiveIntegerField(default=0)
    reblogs_count = models.PositiveIntegerField(default=0)
    likes_count = models.PositiveIntegerField(default=0)

    objects = PostQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="post_idempotency_unique",
            ),
            # One repost per person per post; undo deletes it.
            models.UniqueConstraint(
                fields=["author", "reblog_of"],
                condition=models.Q(reblog_of__isnull=False),
                name="reblog_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["author", "-id"]),
            models.Index(fields=["visibility", "-id"]),
            models.Index(fields=["thread_root", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.author_id}:{self.pk}"

    @property
    def is_reblog(self) -> bool:
        return self.reblog_of_id is not None


class PostRevision(models.Model):
    """A previous version of an edited post (Mastodon's status history)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    content_warning = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"revision of {self.post_id} at {self.created_at:%Y-%m-%d %H:%M}"


class Like(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes"
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="like_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.post_id}"


class Bookmark(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks"
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="bookmark_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} bookmarked {self.post_id}"


class MediaAttachment(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="media"
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="media"
    )
    file = models.ImageField(upload_to="media/")
    thumbnail = models.ImageField(upload_to="media/thumbs/", blank=True)
    description = models.CharField(max_length=1500, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.file.name or f"media {self.pk}"
