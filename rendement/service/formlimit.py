"""A bound on the small forms (sign-in, sign-out, password): their body is read whole into
memory, by asgi-csrf and by Starlette's form parser, so it must announce a small length first.

Browsers always send `Content-Length` with a URL-encoded form; a form without it (411) or longer
than `MAX_FORM_BYTES` (413) is refused before a byte of its body is read. Uploads (multipart)
are bounded while streaming instead (`rendement.service.receive`).
"""

from __future__ import annotations

from rendement.service import pages

MAX_FORM_BYTES = 16 * 1024
# The portal's project sheet form (`rendement.service.projectblad`) has a few dozen fields per
# project: its own, larger bound (paths ending in one of these).
LARGER_FORMS = {"/projectblad": 512 * 1024}


class FormLimit:
    def __init__(self, app, max_bytes: int = MAX_FORM_BYTES):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST":
            headers = dict(scope.get("headers") or [])
            ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
            if ctype == b"application/x-www-form-urlencoded":
                raw = headers.get(b"content-length", b"")
                if not raw.isdigit():
                    return await self._refuse(send, 411, "Het formulier kwam zonder lengte aan.")
                path = scope.get("path", "")
                bound = next(
                    (n for end, n in LARGER_FORMS.items() if path.endswith(end)), self.max_bytes
                )
                if int(raw) > bound:
                    return await self._refuse(send, 413, "Het formulier is te groot.")
        return await self.app(scope, receive, send)

    @staticmethod
    async def _refuse(send, status: int, message: str) -> None:
        body = pages.error_page(status, message).encode("utf-8")
        headers = [(b"content-type", b"text/html; charset=utf-8"), (b"connection", b"close")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
