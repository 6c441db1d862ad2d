from __future__ import annotations

from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def http_url(value: str | None) -> str:
    """The URL if it is http(s), else "": link cards and profiles carry other people's URLs."""
    if not value:
        return ""
    try:
        scheme = urlsplit(str(value)).scheme.lower()
    except ValueError:
        return ""
    return str(value) if scheme in ("http", "https") else ""


@register.filter
def display_url(value: str) -> str:
    """``https://www.example.com/a/`` → ``example.com/a`` for link text."""
    parts = urlsplit(value)
    host = parts.netloc.removeprefix("www.")
    return f"{host}{parts.path}".rstrip("/")
