"""Follow requests to a locked account: list, accept, reject."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from rookery.api.auth import Token, user_of
from rookery.api.pagination import PageParams, link_header, page_from, page_queryset
from rookery.api.routes.common import account_or_404, documented, respond
from rookery.api.serializers import context_of
from rookery.api.serializers.account import AccountOut, serialize_account
from rookery.api.serializers.relationship import RelationshipOut, serialize_relationship
from rookery.social import services as social
from rookery.social.selectors import pending_requests

router = Router(tags=["follow_requests"])


@router.get(
    "/v1/follow_requests", response=documented(list[AccountOut]), auth=Token("read:follows")
)
def follow_request_list(request: HttpRequest, params: Query[PageParams]) -> HttpResponse:
    requests = page_queryset(pending_requests(user_of(request)), page_from(params), "id")
    ctx = context_of(request)
    return respond(
        [serialize_account(r.requester, ctx) for r in requests],
        link=link_header(request, [r.pk for r in requests]),
    )


@router.post(
    "/v1/follow_requests/{account_id}/authorize",
    response=documented(RelationshipOut),
    auth=Token("write:follows"),
)
def authorize(request: HttpRequest, account_id: str) -> HttpResponse:
    requester = account_or_404(account_id)
    social.follow_request_approve(target=user_of(request), requester=requester)
    return respond(serialize_relationship(user_of(request), requester.pk))


@router.post(
    "/v1/follow_requests/{account_id}/reject",
    response=documented(RelationshipOut),
    auth=Token("write:follows"),
)
def reject(request: HttpRequest, account_id: str) -> HttpResponse:
    requester = account_or_404(account_id)
    social.follow_request_reject(target=user_of(request), requester=requester)
    return respond(serialize_relationship(user_of(request), requester.pk))
