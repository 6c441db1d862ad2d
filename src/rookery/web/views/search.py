"""Search for people, hashtags and posts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from rookery.posts.selectors import viewer_state
from rookery.search.selectors import search as search_everything
from rookery.social.selectors import relationships
from rookery.web.forms import SearchForm
from rookery.web.views.common import viewer_of

RESULTS_PER_KIND = 20


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    context: dict = {"form": form, "results": None}
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        viewer = viewer_of(request)
        results = search_everything(
            form.cleaned_data["q"],
            viewer,
            kind=form.cleaned_data["kind"] or None,
            limit=RESULTS_PER_KIND,
        )
        context["results"] = results
        context["state"] = viewer_state(viewer, results.posts)
        rels = relationships(viewer, [u.pk for u in results.accounts]) if viewer else {}
        context["people"] = [(person, rels.get(person.pk, {})) for person in results.accounts]
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "web/search.html", context, status=status)
