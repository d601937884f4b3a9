"""A pure ASGI cap on request bodies (Starlette's form parser has no total limit).

A declared Content-Length over the limit is refused before one byte is read; a chunked body is counted
as it arrives and refused the moment it passes the limit. Either way ``BodyTooLarge`` reaches the route
wrapper, which answers with the 413 page.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"request body over {limit} bytes")


class BodyLimit:
    def __init__(self, app: ASGIApp, *, form_limit: int, upload_limit: int) -> None:
        self.app = app
        self.form_limit = form_limit
        self.upload_limit = upload_limit

    def limit_for(self, scope: Scope) -> int:
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        return self.upload_limit if content_type.startswith("multipart/form-data") else self.form_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        scope.setdefault("state", {})["body_limit"] = limit
        declared = dict(scope.get("headers") or []).get(b"content-length")
        over_declared = declared is not None and declared.isdigit() and int(declared) > limit
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if over_declared:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited_receive, send)
