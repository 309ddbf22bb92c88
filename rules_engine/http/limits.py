"""Size limits on what a request may carry, enforced before any handler reads it.

A decision request is a few hundred bytes; the limits leave room for long SIP headers and
many answers while keeping one request from holding megabytes of the service's memory.
An over-long body is refused from its `Content-Length` without reading it, or as soon as
the bytes read pass the limit (chunked bodies).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .errors import ServiceError, error_response


@dataclass(frozen=True)
class Limits:
    max_body: int = 64 * 1024  # bytes of a request body
    max_headers: int = 16 * 1024  # bytes of all request headers together
    max_header_count: int = 64
    # (path prefix, bytes): pages mounted beside the API whose bodies may be larger (the
    # console's editor posts whole rule files), added by whoever mounts them (`allowing`)
    larger_bodies: tuple[tuple[str, int], ...] = ()

    def allowing(self, prefix: str, max_body: int) -> Limits:
        """These limits, with bodies of up to `max_body` bytes under the path `prefix`."""
        return replace(self, larger_bodies=(*self.larger_bodies, (prefix, max_body)))

    def max_body_of(self, path: str) -> int:
        for prefix, size in self.larger_bodies:
            if path.startswith(prefix):
                return size
        return self.max_body


class LimitsMiddleware:
    """ASGI middleware: 431 for too many or too large headers, 413 for a body over the limit.

    The limits are read from `state.limits` at each request, so that pages mounted after the
    service was made (the console) can allow their larger bodies."""

    def __init__(self, app, state):
        self.app, self.state = app, state

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limits: Limits = self.state.limits
        max_body = limits.max_body_of(scope.get("path", ""))
        headers = scope["headers"]
        size = sum(len(name) + len(value) + 4 for name, value in headers)
        if len(headers) > limits.max_header_count or size > limits.max_headers:
            response = error_response(
                431,
                f"the request's headers are too large (at most {limits.max_header_count} "
                f"headers and {limits.max_headers} bytes)",
            )
            return await response(scope, receive, send)
        for name, value in headers:
            if name == b"content-length" and (not value.isdigit() or int(value) > max_body):
                response = error_response(413, f"the request body is larger than {max_body} bytes")
                return await response(scope, receive, send)
        seen = 0

        async def bounded_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_body:  # a chunked body: the handlers answer this with a 413
                    raise ServiceError(413, f"the request body is larger than {max_body} bytes")
            return message

        await self.app(scope, bounded_receive, send)
