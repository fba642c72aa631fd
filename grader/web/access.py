"""Who may use the review service: a shared token for every request when it is not loopback-only.

Job: the ASGI middleware that checks the token (query `?token=`, header
`X-Review-Token` or the cookie it sets) and answers 401 with one clear line
otherwise; and the rule that a non-loopback host needs a token. Nothing else.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

COOKIE = "hw_grader_review_token"
HEADER = "x-review-token"


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1; a name or any other address is not."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(24)


class TokenCheck(BaseHTTPMiddleware):
    """Refuses every request without the token; a good `?token=` sets a cookie for the rest."""

    def __init__(self, app: object, token: str) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self._token = token

    def _matches(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self._token.encode())

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        from_query = request.query_params.get("token")
        if not (
            self._matches(from_query)
            or self._matches(request.headers.get(HEADER))
            or self._matches(request.cookies.get(COOKIE))
        ):
            return PlainTextResponse(
                "missing or wrong review token: open the URL `grader serve` printed "
                "(it ends in ?token=...), or send the X-Review-Token header",
                status_code=401,
            )
        response = await call_next(request)
        if self._matches(from_query):
            response.set_cookie(COOKIE, self._token, httponly=True, samesite="strict")
        return response
