"""Web forms: they check shape and length; the services decide what is allowed."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django import forms
from django.conf import settings

from rookery.accounts.models import username_validator
from rookery.posts.models import Visibility

IMAGE_TYPES = "image/png,image/jpeg,image/gif,image/webp"


class PostForm(forms.Form):
    text = forms.CharField(
        label="What's new?",
        required=False,  # the service says "Write something first." in our words
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    content_warning = forms.CharField(
        label="Content warning",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Optional: what the post is about"}),
    )
    visibility = forms.ChoiceField(label="Who can see it", choices=Visibility.choices)
    is_question = forms.BooleanField(label="This is a question", required=False)
    in_reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class PostEditForm(forms.Form):
    text = forms.CharField(label="Text", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    content_warning = forms.CharField(label="Content warning", max_length=200, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs["data-counter-max"] = settings.POST_MAX_CHARS


class SignupForm(forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=30,
        validators=[username_validator],
        help_text="Letters, digits and underscores; it becomes your @handle.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    email = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return data


class ProfileForm(forms.Form):
    display_name = forms.CharField(label="Display name", max_length=100, required=False)
    headline = forms.CharField(
        label="Headline", max_length=150, required=False, help_text="Role and company."
    )
    bio = forms.CharField(
        label="Bio", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    website = forms.CharField(label="Website", max_length=200, required=False)
    topics = forms.CharField(
        label="Topics",
        max_length=600,
        required=False,
        help_text="Comma-separated, e.g. python, postgres, devrel.",
    )
    # A plain FileField: the avatar service inspects the bytes itself, with bomb protection.
    avatar = forms.FileField(
        label="Avatar",
        required=False,
        help_text="PNG, JPEG, GIF or WebP; cropped to a square.",
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_TYPES}),
    )
    remove_avatar = forms.BooleanField(label="Remove my avatar", required=False)


def _timezones() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class AccountForm(forms.Form):
    locked = forms.BooleanField(label="Approve new followers by hand", required=False)
    hide_follows = forms.BooleanField(label="Hide who I follow and who follows me", required=False)
    discoverable = forms.BooleanField(label="Suggest my account to others", required=False)
    timezone = forms.ChoiceField(label="Time zone", choices=_timezones)


MUTE_DURATIONS = {
    "": None,
    "1h": timedelta(hours=1),
    "1d": timedelta(days=1),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}


class MuteForm(forms.Form):
    duration = forms.ChoiceField(
        label="For how long",
        required=False,
        choices=[
            ("", "Until I unmute"),
            ("1h", "1 hour"),
            ("1d", "1 day"),
            ("7d", "7 days"),
            ("30d", "30 days"),
        ],
    )
    hide_notifications = forms.BooleanField(label="Hide their notifications too", required=False)


class FollowsImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Mastodon's following_accounts.csv, or one address per line.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )

    MAX_BYTES = 2_000_000

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB.")
        return upload


class InviteForm(forms.Form):
    max_uses = forms.ChoiceField(
        label="Uses",
        required=False,
        choices=[("1", "1 person"), ("5", "5 people"), ("25", "25 people"), ("", "No limit")],
    )
    expires = forms.ChoiceField(
        label="Expires",
        required=False,
        choices=[
            ("1", "after 1 day"),
            ("7", "after 7 days"),
            ("30", "after 30 days"),
            ("", "never"),
        ],
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label="What's wrong?",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Moderators of this server will read it; the person you report won't.",
    )


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", max_length=200, required=False)
    kind = forms.ChoiceField(
        label="Look for",
        required=False,
        choices=[
            ("", "Everything"),
            ("accounts", "People"),
            ("hashtags", "Hashtags"),
            ("posts", "Posts"),
        ],
    )
