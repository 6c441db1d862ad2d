from __future__ import annotations

from django import forms


class EventForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120)
    starts_on = forms.DateField(label="Starts", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label="Ends",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for a one-day event.",
    )
    hashtag = forms.CharField(
        label="Hashtag",
        max_length=101,
        required=False,
        help_text="Members' posts with it make the event's timeline. Made from the name if empty.",
        widget=forms.TextInput(attrs={"placeholder": "#pyconbof"}),
    )
    description = forms.CharField(
        label="Description", max_length=2000, required=False, widget=forms.Textarea({"rows": 3})
    )


class JoinForm(forms.Form):
    code = forms.CharField(
        label="Join code",
        max_length=32,
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off"}),
    )
