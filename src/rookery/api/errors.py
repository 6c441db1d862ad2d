"""Errors as Mastodon sends them (``{"error": "..."}``) and the rate-limit headers.

Every failure a client can cause ends here with a status code and a sentence, never a stack
trace: Mastodon clients show ``error`` to the person as it is.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from rookery.core.ratelimit import RateLimitResult
from rookery.posts.services import RateLimited
from rookery.timelines.selectors import PageError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("rookery.api")


class ErrorOut(Schema):
    error: str


class ApiError(Exception):
    def __init__(self, status: int, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


def not_found(what: str = "Record") -> ApiError:
    return ApiError(404, f"{what} not found")


def error_response(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _validation_message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        parts = [
            f"{field}: {message}" if field != "__all__" else message
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    else:
        parts = list(error.messages)
    return "Validation failed: " + "; ".join(parts)


def _ninja_validation_message(error: NinjaValidationError) -> str:
    parts = []
    for item in error.errors[:5]:
        loc = [str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path", "data")]
        where = ".".join(loc)
        parts.append(f"{where}: {item.get('msg', 'invalid')}" if where else item.get("msg", ""))
    return "Validation failed: " + "; ".join(parts)


def register_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        response = error_response(exc.status, exc.message)
        if exc.retry_after is not None:
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(401, "The access token is invalid")

    @api.exception_handler(NinjaValidationError)
    def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return error_response(422, _ninja_validation_message(exc))

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error_response(exc.status_code, str(exc.message))

    @api.exception_handler(ValidationError)
    def _domain_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(422, _validation_message(exc))

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(403, str(exc) or "This action is not allowed")

    @api.exception_handler(PageError)
    def _bad_page(request: HttpRequest, exc: PageError) -> HttpResponse:
        return error_response(400, str(exc))

    @api.exception_handler(RateLimited)
    def _posting_too_fast(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        response = error_response(429, str(exc))
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(Http404)
    def _missing(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(404, "Record not found")

    @api.exception_handler(ObjectDoesNotExist)
    def _missing_object(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
        return error_response(404, "Record not found")

    @api.exception_handler(Exception)
    def _crash(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return error_response(500, "Something went wrong on our side; it has been logged.")


def add_rate_limit_headers(response: HttpResponse, result: RateLimitResult) -> None:
    """Mastodon's headers; Reset is an ISO 8601 time, which Mastodon.py and toot both read."""
    response["X-RateLimit-Limit"] = str(result.limit)
    response["X-RateLimit-Remaining"] = str(result.remaining)
    response["X-RateLimit-Reset"] = (
        datetime.fromtimestamp(result.reset_at, tz=UTC).isoformat().replace("+00:00", "Z")
    )
