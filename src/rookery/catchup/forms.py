from __future__ import annotations

from django import forms

from rookery.algorithms.catchup import LABELS


class CatchupSettingsForm(forms.Form):
    budget_minutes = forms.IntegerField(
        label="Reading budget (minutes)",
        min_value=1,
        max_value=240,
        help_text="Today shows what fits in this much reading time.",
    )
    email_enabled = forms.BooleanField(label="Email me my catch-up each morning", required=False)
    email_time = forms.TimeField(
        label="Email time",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="In your time zone (Settings → Account).",
    )
    muted_words = forms.CharField(
        label="Muted words and topics",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line. Posts containing them (or tagged with them) never show.",
    )

    def clean_muted_words(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["muted_words"].splitlines()]


class FeedbackForm(forms.Form):
    post_id = forms.IntegerField(min_value=1)
    label = forms.ChoiceField(choices=[(label, label) for label in sorted(LABELS)])


class MuteTopicForm(forms.Form):
    topic = forms.CharField(max_length=100)


class CaughtUpForm(forms.Form):
    last_read_id = forms.IntegerField(min_value=0)
    notifications_read_id = forms.IntegerField(min_value=0, required=False)
