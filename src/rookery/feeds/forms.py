"""Forms of the Blog page; services do the validating that matters, forms shape the input."""

from __future__ import annotations

from django import forms

from rookery.feeds.models import DEFAULT_FEED_TEMPLATE, FeedMode
from rookery.feeds.summary import TEMPLATE_FIELDS
from rookery.posts.models import Visibility

_FIELDS = ", ".join("{" + name + "}" for name in TEMPLATE_FIELDS)


class FeedSettingsForm(forms.Form):
    mode = forms.ChoiceField(choices=FeedMode.choices, initial=FeedMode.DRAFT, label="New articles")
    schedule_time = forms.TimeField(
        required=False,
        label="Publish at (your time)",
        help_text="For “Schedule”: a time of day. Empty: your next good posting slot.",
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    template = forms.CharField(
        max_length=1000,
        initial=DEFAULT_FEED_TEMPLATE,
        help_text=f"Placeholders: {_FIELDS}.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.PUBLIC)


class FeedAddForm(FeedSettingsForm):
    url = forms.CharField(
        max_length=2000,
        label="Blog or feed address",
        help_text="Your blog's address is enough: Rookery finds its feed.",
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/blog/"}),
    )
    field_order = ["url", "mode", "schedule_time", "template", "visibility"]


class PromotionForm(forms.Form):
    text = forms.CharField(
        max_length=5000,
        label="Post",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    publish_at = forms.DateTimeField(
        required=False,
        label="Schedule for (your time)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
