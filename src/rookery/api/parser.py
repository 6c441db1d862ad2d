"""Request bodies in every form Mastodon clients send them.

Mastodon.py posts form data (``media_ids[]=1&media_ids[]=2``), toot posts JSON, and avatar
uploads are multipart PATCHes; Mastodon accepts all three, so Rookery does too. Bracketed keys
become lists (``a[]``) or nested objects (``home[last_read_id]``).
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.errors import HttpError
from ninja.parser import Parser
from pydantic import BeforeValidator

_KEY_PART = re.compile(r"\[([^\]]*)\]")


def _set_path(target: dict[str, Any], key: str, values: list[Any], as_list: bool) -> None:
    head, _, rest = key.partition("[")
    parts = [head, *_KEY_PART.findall("[" + rest)] if rest else [head]
    is_list = as_list or (len(parts) > 1 and parts[-1] == "")
    if parts[-1] == "" and len(parts) > 1:
        parts = parts[:-1]
    current = target
    for part in parts[:-1]:
        nested = current.get(part)
        if not isinstance(nested, dict):
            nested = {}
            current[part] = nested
        current = nested
    current[parts[-1]] = list(values) if is_list else values[-1]


def nest(data: MultiValueDict, list_fields: list[str] | tuple[str, ...] = ()) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key in data:
        _set_path(result, key, data.getlist(key), key in list_fields)
    return result


def form_data(request: HttpRequest) -> MultiValueDict:
    """``request.POST`` for any method: Django only parses form bodies of POSTs itself."""
    if request.method != "POST" and not hasattr(request, "_post"):
        method = request.method
        request.method = "POST"
        request.META["REQUEST_METHOD"] = "POST"
        try:
            request._load_post_and_files()  # type: ignore[attr-defined]
        finally:
            request.method = method
            request.META["REQUEST_METHOD"] = method
    return request.POST


def request_data(request: HttpRequest) -> dict[str, Any]:
    """The body as a dict, whatever its encoding; an empty body is an empty dict."""
    content_type = request.content_type or ""
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return nest(form_data(request))
    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise HttpError(400, "The request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise HttpError(422, "The request body must be a JSON object")
    return data


class MastodonParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return request_data(request)

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        return nest(data, list_fields)


def _as_list(value: Any) -> Any:
    if value is None or isinstance(value, list):
        return value
    if isinstance(value, dict):  # a[0]=x&a[1]=y
        return list(value.values())
    return [value]


# A list field that also accepts a single value (``media_ids=3`` as well as ``media_ids[]=3``).
StrList = Annotated[list[str], BeforeValidator(_as_list)]
