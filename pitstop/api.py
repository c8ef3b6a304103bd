"""What every view under /api/ shares: JSON in, JSON out, errors included.

DESIGN.md's contract: 400 {"error": …} for any malformed body, 413 over 1 MB,
404 for an unknown path, 500 as {"error": "internal"}, never an HTML page.
DRF's views get there through `exception_handler` and the parser here;
whatever happens outside them (the URL resolver's 404, a body too large to
read, a crash) through `ApiJsonMiddleware`. `schema_errors` writes those
answers into the OpenAPI schema of every operation, today's and later ones.
"""

import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

API_PREFIX = "/api/"
MAX_BODY_BYTES = 1024 * 1024  # DESIGN.md: bodies over 1 MB are refused, 413
logger = logging.getLogger("pitstop.api")


# ------------------------------------------------------------------------------
# Input: JSON only, strict types
# ------------------------------------------------------------------------------


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with nesting too deep for Python's parser a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                _("JSON parse error - nested too deep")
            ) from None


class StrictCharField(serializers.CharField):
    """A JSON string, never a number or a boolean turned into one. NUL and lone
    surrogates are refused by CharField's own validators."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer: not "2", not 2.5, not true."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


# ------------------------------------------------------------------------------
# Errors: {"error": code, "message": text for people, …}
# ------------------------------------------------------------------------------


def error_body(code: str, message: str, **extra) -> dict:
    return {"error": code, "message": message, **extra}


def exception_handler(exc, context):
    """DRF's errors as {"error": code, "message": …}; a validation error names
    the first field at fault ("lines.0.qty"). Always rendered as JSON, whatever
    the view renders when it succeeds (the schema as YAML, the docs as HTML)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    # Imported here: rest_framework.views reads the settings that name this
    # module's JSONParser.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API error: a 500, ApiJsonMiddleware answers it
    if isinstance(exc, exceptions.ValidationError):
        field, message = _first_error(exc.detail)
        body = error_body("invalid", message, field=field)
    else:
        code = exc.get_codes()  # REST framework's: parse_error, not_found…
        body = error_body(code if isinstance(code, str) else "error", _text(exc))
    response.data = body
    request = context["request"]
    request.accepted_renderer = JSONRenderer()
    request.accepted_media_type = JSONRenderer.media_type
    return response


def _text(exc) -> str:
    detail = getattr(exc, "detail", None)
    return str(detail) if isinstance(detail, str) else str(exc)


def _first_error(detail, path: tuple[str, ...] = ()) -> tuple[str, str]:
    if isinstance(detail, dict):
        for key, value in detail.items():
            if value:
                sub = path if key == "non_field_errors" else (*path, str(key))
                return _first_error(value, sub)
    if isinstance(detail, list):
        for index, value in enumerate(detail):
            if value and isinstance(value, dict | list):
                nested = isinstance(value, dict) or isinstance(value[0], dict | list)
                return _first_error(value, (*path, str(index)) if nested else path)
            if value:
                return ".".join(path), str(value)
    return ".".join(path), str(detail)


class ApiJsonMiddleware:
    """Under /api/: a body over 1 MB is refused before it is read (413), and
    any answer that is not JSON (the URL resolver's 404, Django's 405 or 400)
    becomes {"error": …}; a crash is logged and answered 500 {"error":
    "internal"}, with nothing about it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            return JsonResponse(
                error_body("too_large", _("The body is larger than 1 MB.")), status=413
            )
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response):
            return JsonResponse(
                _plain_error(response.status_code), status=response.status_code
            )
        return response

    def process_exception(self, request: HttpRequest, exc: Exception):
        if not request.path_info.startswith(API_PREFIX):
            return None
        logger.exception("Error on %s %s", request.method, request.path)
        return JsonResponse(error_body("internal", _("Internal error.")), status=500)


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def _plain_error(status: int) -> dict:
    if status == 404:
        return error_body("not_found", _("Not found."))
    if status == 405:
        return error_body("method_not_allowed", _("Method not allowed."))
    if status >= 500:
        return error_body("internal", _("Internal error."))
    return error_body("bad_request", _("Bad request."))


# ------------------------------------------------------------------------------
# The schema: every operation documents the errors every operation can give
# ------------------------------------------------------------------------------

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "field": {"type": "string"},
    },
    "required": ["error", "message"],
}
_COMMON = {
    "401": "Not logged in: no or a bad token.",
    "403": "This user may not do this.",
    "500": "Internal error.",
}
_WITH_BODY = {
    "400": "Malformed or invalid body; nothing changed.",
    "413": "The body is larger than 1 MB.",
}


def schema_errors(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: the Error component, and on every
    operation the error answers it can give that it does not list itself."""
    result.setdefault("components", {}).setdefault("schemas", {})
    result["components"]["schemas"].setdefault("Error", ERROR_SCHEMA)
    ref = {"$ref": "#/components/schemas/Error"}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in ("get", "put", "post", "patch", "delete"):
                continue
            errors = dict(_COMMON)
            if "requestBody" in operation:
                errors |= _WITH_BODY
            if "{" in path:
                errors["404"] = "Not found."
            responses = operation.setdefault("responses", {})
            for status, description in errors.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": ref}},
                    },
                )
    return result


def api_error(code: str, message: str, status: int, **extra) -> Response:
    return Response(error_body(code, message, **extra), status=status)
