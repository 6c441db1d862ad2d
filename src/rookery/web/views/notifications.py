"""The notifications page and marking them read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from rookery.notifications.services import notifications_mark_read
from rookery.web.selectors import notifications_page
from rookery.web.views.common import timeline_page


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    page = timeline_page(request)
    if isinstance(page, HttpResponse):
        return page
    items = notifications_page(request.user, page)
    next_url = f"{request.path}?max_id={items[-1].pk}" if len(items) == page.limit else None
    return render(
        request,
        "web/notifications.html",
        {"items": items, "next_url": next_url, "newest_id": items[0].pk if items else None},
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    up_to = request.POST.get("up_to", "")
    # Only what the reader saw: a notification arriving meanwhile stays unread.
    notifications_mark_read(user=request.user, up_to_id=int(up_to) if up_to.isdigit() else None)
    return redirect("web:notifications")
