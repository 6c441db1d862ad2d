from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def instance(request: HttpRequest) -> dict[str, Any]:
    return {
        "instance_name": settings.INSTANCE_NAME,
        "post_max_chars": settings.POST_MAX_CHARS,
        "signup_mode": settings.SIGNUP_MODE,
    }
