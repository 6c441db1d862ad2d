"""Web pages of traction analytics, the short-link redirect and the exports.

A post's analytics answer 404 to everyone but its author and admins, the same 404 as for a post
that never existed, so they reveal nothing. Who viewed a post is never shown anywhere.
"""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from rookery.algorithms.traction import WEEKDAYS
from rookery.traction import charts, selectors
from rookery.traction.links import is_redirectable
from rookery.traction.models import ShortLink
from rookery.traction.recording import record_click


@require_GET
def short_link(request: HttpRequest, code: str) -> HttpResponse:
    link = ShortLink.objects.select_related("post").filter(code=code).first()
    if link is None or not is_redirectable(link.url):
        raise Http404("No such link.")
    record_click(request, link)
    response = HttpResponseRedirect(link.url)
    # Every visit must reach us to be counted; the referrer stays with the instance.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _days(request: HttpRequest) -> int | None:
    raw = request.GET.get("days", "30")
    return int(raw) if raw in {str(d) for d in selectors.WINDOWS} else None


@login_required
@require_GET
def insights(request: HttpRequest) -> HttpResponse:
    days = _days(request)
    if days is None:
        return render(
            request,
            "web/400.html",
            {"message": f"days must be one of {', '.join(map(str, selectors.WINDOWS))}."},
            status=400,
        )
    data = selectors.insights(request.user, days)
    slots = [f"{WEEKDAYS[d]} {h:02d}:00" for d, h in data.best_slots]
    return render(
        request,
        "traction/insights.html",
        {
            "data": data,
            "charts": charts.insight_charts(data),
            "windows": selectors.WINDOWS,
            "best_slots": slots,
            "top": [(s, data.posts[s.post_id]) for s in data.top],
        },
    )


def _post_page(request: HttpRequest, post_id: int, username: str | None = None) -> HttpResponse:
    viewer = request.user if request.user.is_authenticated else None
    post = selectors.analytics_post(post_id, viewer)  # type: ignore[arg-type]
    if post is None or (username is not None and post.author.username.lower() != username.lower()):
        raise Http404("No such post.")
    metrics = selectors.post_metrics(post)
    return render(
        request,
        "traction/post.html",
        {"metrics": metrics, "post": post, "charts": charts.post_charts(metrics)},
    )


@require_GET
def post_traction(request: HttpRequest, post_id: int) -> HttpResponse:
    return _post_page(request, post_id)


@require_GET
def post_traction_by_author(request: HttpRequest, username: str, post_id: int) -> HttpResponse:
    return _post_page(request, post_id, username)


@login_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    rows = selectors.export_rows(request.user, settings.SITE_URL)  # type: ignore[arg-type]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="traction.csv"'
    writer = csv.DictWriter(response, fieldnames=selectors.EXPORT_FIELDS)
    writer.writeheader()
    for row in rows:
        # A cell starting with = + - @ would be a formula in a spreadsheet: neutralise it.
        text = str(row["text"])
        writer.writerow({**row, "text": f"'{text}" if text and text[0] in "=+-@\t\r" else text})
    return response


@login_required
@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    rows = selectors.export_rows(request.user, settings.SITE_URL)  # type: ignore[arg-type]
    response = JsonResponse({"username": request.user.username, "posts": rows})
    response["Content-Disposition"] = 'attachment; filename="traction.json"'
    return response
