from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    """0.0423 → "4.2%"; None (nothing to divide by) → an en dash."""
    return "\u2013" if value is None else f"{value * 100:.{digits}f}%"
