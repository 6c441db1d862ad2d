"""Admin bulk actions that ask the moderator why, then call a moderation service per object.

Going through the services (never ``queryset.update``) is what writes the audit log; one
object the service refuses (e.g. a moderator's own account) is reported and the rest proceed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from rookery.moderation.services import MAX_REASON_CHARS


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=MAX_REASON_CHARS,
        help_text="Kept in the audit log.",
    )

    def __init__(self, *args: Any, label: str, required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].required = required


def reason_action(
    *,
    name: str,
    description: str,
    apply: Callable[[HttpRequest, Any, str], object],
    label: str = "Reason",
    required: bool = True,
) -> Callable[[admin.ModelAdmin, HttpRequest, QuerySet], TemplateResponse | None]:
    """Build an admin action that asks for a reason and calls ``apply(request, obj, reason)``."""

    def action(
        modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
    ) -> TemplateResponse | None:
        form = ReasonForm(
            request.POST if "apply" in request.POST else None, label=label, required=required
        )
        if form.is_valid():
            _apply_each(modeladmin, request, queryset, apply, form.cleaned_data["reason"])
            return None  # back to the change list, with the messages
        objects: list[Model] = list(queryset)
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": description,
            "opts": modeladmin.model._meta,
            "objects": objects,
            "form": form,
            "action_name": name,
            "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
            "checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/moderation/reason.html", context)

    action.__name__ = name
    return admin.action(description=description)(action)


def _apply_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    apply: Callable[[HttpRequest, Any, str], object],
    reason: str,
) -> None:
    done = 0
    for obj in queryset:
        try:
            apply(request, obj, reason)
        except (ValidationError, PermissionDenied) as error:
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            modeladmin.message_user(request, f"{obj}: {text}", messages.WARNING)
        else:
            done += 1
    modeladmin.message_user(request, f"Done for {done} of {queryset.count()}.", messages.SUCCESS)
