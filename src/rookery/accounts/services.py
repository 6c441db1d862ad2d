"""Sign-up, invites, profiles and account settings. The only code that writes accounts."""

from __future__ import annotations

import re
import secrets
import zoneinfo
from datetime import datetime

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from rookery.accounts.avatars import avatar_process
from rookery.accounts.models import Invite, User, username_validator
from rookery.posts.models import Hashtag
from rookery.social.selectors import pending_requests
from rookery.social.services import follow_request_approve

# Names that would shadow a route, look official, or confuse people reading a mention.
RESERVED_USERNAMES = frozenset(
    {
        "about",
        "abuse",
        "account",
        "accounts",
        "admin",
        "administrator",
        "api",
        "app",
        "apps",
        "auth",
        "bookmarks",
        "contact",
        "explore",
        "help",
        "home",
        "hostmaster",
        "info",
        "invite",
        "invites",
        "login",
        "logout",
        "mail",
        "me",
        "media",
        "moderator",
        "mod",
        "nodeinfo",
        "notifications",
        "null",
        "oauth",
        "postmaster",
        "public",
        "root",
        "rookery",
        "search",
        "security",
        "settings",
        "signup",
        "static",
        "staff",
        "support",
        "system",
        "tags",
        "undefined",
        "user",
        "users",
        "webmaster",
        "well_known",
        "www",
    }
)
MAX_TOPICS = 10
TOPIC_RE = re.compile(r"^[A-Za-z_]\w{0,99}$")


def username_check(username: str) -> str:
    """The username as it will be stored, or a ValidationError a person can act on."""
    username = username.strip().lstrip("@")
    username_validator(username)
    if username.lower() in RESERVED_USERNAMES:
        raise ValidationError("That username is reserved.")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError("That username is taken.")
    return username


def _invite_use(code: str) -> None:
    """Count one use of ``code``; a single UPDATE, so two sign-ups can't share the last use."""
    now = timezone.now()
    used = (
        Invite.objects.filter(code=code)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .filter(Q(max_uses__isnull=True) | Q(uses__lt=F("max_uses")))
        .update(uses=F("uses") + 1)
    )
    if not used:
        raise ValidationError({"invite_code": "This invite link is invalid, used up or expired."})


def user_create(
    *, username: str, email: str, password: str, invite_code: str | None = None
) -> User:
    """Create an account, honouring ROOKERY_SIGNUP_MODE (open, invite or closed)."""
    mode = settings.SIGNUP_MODE
    if mode == "closed":
        raise ValidationError("Sign-up is closed on this server.")
    if mode == "invite" and not invite_code:
        raise ValidationError({"invite_code": "Sign-up on this server needs an invite link."})
    errors: dict[str, list[str]] = {}
    try:
        username = username_check(username)
    except ValidationError as error:
        errors["username"] = error.messages
    email = User.objects.normalize_email(email.strip())
    if not email:
        errors["email"] = ["Enter an email address."]
    elif User.objects.filter(email__iexact=email).exists():
        errors["email"] = ["An account with this email address exists; try resetting its password."]
    try:
        validate_password(password, User(username=username, email=email))
    except ValidationError as error:
        errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            if invite_code:
                _invite_use(invite_code)
            return User.objects.create_user(username=username, email=email, password=password)
    except IntegrityError:
        # The case-insensitive unique constraint caught a concurrent sign-up with the same name.
        raise ValidationError({"username": "That username is taken."}) from None


def invite_create(
    *, created_by: User, max_uses: int | None = None, expires_at: datetime | None = None
) -> Invite:
    if max_uses is not None and max_uses < 1:
        raise ValidationError({"max_uses": "An invite must allow at least one use."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry must be in the future."})
    return Invite.objects.create(
        code=secrets.token_urlsafe(12),
        created_by=created_by,
        max_uses=max_uses,
        expires_at=expires_at,
    )


def topics_parse(raw: str) -> list[str]:
    """``"python, #Django  rust"`` → ``["python", "django", "rust"]`` (order kept, no repeats)."""
    names: list[str] = []
    for part in re.split(r"[,\s]+", raw):
        name = part.strip().lstrip("#")
        if not name:
            continue
        if not TOPIC_RE.match(name):
            raise ValidationError(
                {"topics": f"“{name}” is not a valid topic: use letters, digits and underscores."}
            )
        if name.lower() not in names:
            names.append(name.lower())
    if len(names) > MAX_TOPICS:
        raise ValidationError({"topics": f"At most {MAX_TOPICS} topics."})
    return names


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str,
    headline: str,
    bio: str,
    website: str,
    topics: list[str],
) -> User:
    fields = {
        "display_name": (display_name.strip(), 100),
        "headline": (headline.strip(), 150),
        "bio": (bio.strip(), 500),
    }
    errors: dict[str, str] = {}
    for name, (value, limit) in fields.items():
        if len(value) > limit:
            errors[name] = f"At most {limit} characters; this is {len(value)}."
    website = website.strip()
    if website:
        try:
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError:
            errors["website"] = "Enter a full web address starting with https:// or http://."
    if errors:
        raise ValidationError(errors)
    user.display_name = fields["display_name"][0]
    user.headline = fields["headline"][0]
    user.bio = fields["bio"][0]
    user.website = website
    user.profile_changed_at = timezone.now()
    user.save(update_fields=["display_name", "headline", "bio", "website", "profile_changed_at"])
    user.topics.set([Hashtag.objects.get_or_create(name=name)[0] for name in topics])
    return user


def avatar_set(*, user: User, upload: UploadedFile) -> User:
    content, extension = avatar_process(upload, size=upload.size or 0)
    old_name = user.avatar.name if user.avatar else ""
    # A fresh name per upload, so browsers and proxies never show a cached old face.
    user.avatar.save(
        f"{user.pk}-{secrets.token_hex(6)}.{extension}", ContentFile(content), save=False
    )
    user.profile_changed_at = timezone.now()
    user.save(update_fields=["avatar", "profile_changed_at"])
    if old_name and old_name != user.avatar.name:
        user.avatar.storage.delete(old_name)
    return user


def avatar_remove(*, user: User) -> User:
    if user.avatar:
        user.avatar.delete(save=False)
    user.avatar = ""
    user.profile_changed_at = timezone.now()
    user.save(update_fields=["avatar", "profile_changed_at"])
    return user


def account_settings_update(
    *, user: User, locked: bool, hide_follows: bool, discoverable: bool, timezone_name: str
) -> User:
    if timezone_name not in zoneinfo.available_timezones():
        raise ValidationError({"timezone": f"Unknown time zone “{timezone_name}”."})
    unlocking = user.locked and not locked
    user.locked = locked
    user.hide_follows = hide_follows
    user.discoverable = discoverable
    user.timezone = timezone_name
    # locked and discoverable are part of the account others see (Mastodon's Account).
    user.profile_changed_at = timezone.now()
    user.save(
        update_fields=["locked", "hide_follows", "discoverable", "timezone", "profile_changed_at"]
    )
    if unlocking:
        # Anyone may follow an open account, so the people who asked while it was locked
        # become followers now, as on Mastodon.
        for request in pending_requests(user):
            follow_request_approve(target=user, requester=request.requester)
    return user
