from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

USERNAME_PATTERN = r"^[A-Za-z0-9_]{1,30}$"
username_validator = RegexValidator(
    USERNAME_PATTERN,
    "Usernames are 1 to 30 letters, digits or underscores.",
)


class UserQuerySet(models.QuerySet["User"]):
    def active(self) -> UserQuerySet:
        return self.filter(is_active=True, suspended_at__isnull=True)


class RookeryUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person on this instance; profile fields live here because every page shows them."""

    username = models.CharField(
        max_length=30,
        unique=True,
        validators=[username_validator],
        error_messages={"unique": "That username is taken."},
    )
    display_name = models.CharField(max_length=100, blank=True)
    headline = models.CharField(max_length=150, blank=True, help_text="Role and company.")
    bio = models.TextField(max_length=500, blank=True)
    website = models.URLField(blank=True)
    avatar = models.ImageField(upload_to="avatars/", blank=True)
    topics = models.ManyToManyField("posts.Hashtag", blank=True, related_name="experts")
    locked = models.BooleanField(default=False, help_text="Approve followers by hand.")
    hide_follows = models.BooleanField(
        default=False, help_text="Hide who I follow and who follows me."
    )
    discoverable = models.BooleanField(default=True, help_text="May be suggested to others.")
    timezone = models.CharField(max_length=64, default="UTC")
    suspended_at = models.DateTimeField(null=True, blank=True)
    # When something other people see of this person changed (name, headline, bio, avatar,
    # locked, ...): part of the version of every cached post card and status they wrote, so
    # the accounts services (and the admin) set it with every such change.
    profile_changed_at = models.DateTimeField(null=True, blank=True)
    # Denormalised counters, kept by the social and posts services with F() updates.
    followers_count = models.PositiveIntegerField(default=0)
    following_count = models.PositiveIntegerField(default=0)
    posts_count = models.PositiveIntegerField(default=0)

    objects = RookeryUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


class Invite(models.Model):
    code = models.CharField(max_length=32, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invites")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.code
