"""The built web app (web/dist) for `regentra local`, served beside the API on the same origin.

The gateway asks this for a GET or HEAD that no API route and no local route answers, and for a
browser's page load (Sec-Fetch-Mode: navigate, which no script can send) on any non-/_local/ path:
so an API call is never answered with the app, while a deep link to a client-side route that shares
its path with an API route (/tickets) still opens the app. A file under the root is served with its
content type; any other path asked for with Accept: text/html gets index.html. Vite's hashed files
under assets/ are cached for good; everything else (index.html above all) is revalidated on every
load with its ETag. Without a build, a short page says how to make one.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote

Response = tuple[int, dict[str, str], bytes]

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Vite writes bundles as assets/<name>-<hash>.<ext> (the hash: 8+ base64url characters).
HASHED = re.compile(r"^assets/(?:.+/)?[^/]+[-.][A-Za-z0-9_-]{8,}\.[A-Za-z0-9]+$")
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".txt": "text/plain; charset=utf-8",
    ".wasm": "application/wasm",
}
NOT_BUILT = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Regentra Tickets</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
<h1>Regentra Tickets</h1>
<p>The web app has not been built yet. Run <code>make dev</code> (it builds <code>web/dist</code>
and starts this server), then reload this page.</p>
<p>The API is running here: see <a href="/openapi.json">/openapi.json</a>.</p>
</body></html>
"""


def content_type(path: Path) -> str:
    known = TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def _accepts_html(headers: dict[str, str]) -> bool:
    return "text/html" in (headers.get("accept") or "").lower()


def _not_found() -> Response:
    body = b'{"error": {"code": "not_found", "message": "No such route.", "details": []}}'
    return 404, {"Content-Type": "application/json"}, body


class StaticSite:
    """Files under `root` (which may not exist yet: it is looked at on every request)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def built(self) -> bool:
        return (self.root / "index.html").is_file()

    def _file(self, url_path: str) -> Path | None | bool:
        """The file a URL path names; None when there is none; False when the path is refused."""
        text = unquote(url_path)
        if "\x00" in text or "\\" in text:
            return False
        parts = [p for p in text.split("/") if p]
        if any(p in (".", "..") for p in parts):
            return False  # traversal: refused outright, never resolved
        if any(p.startswith(".") for p in parts):
            return None  # dotfiles are not part of the app
        if not parts:
            return None
        root = self.root.resolve()
        candidate = root.joinpath(*parts).resolve()
        if not candidate.is_relative_to(root):  # a symlink pointing outside the app
            return False
        return candidate if candidate.is_file() else None

    def respond(self, url_path: str, headers: dict[str, str]) -> Response | None:
        """The answer for a GET (or HEAD: the server drops the body) no API route took; None lets
        the gateway say 404."""
        found = self._file(url_path)
        if found is False:
            return _not_found()
        if isinstance(found, Path):
            return self._send(found, headers)
        # "/" is no API route: it is the app for any client (`curl http://127.0.0.1:3000/` too).
        if url_path != "/" and not _accepts_html(headers):
            return None
        if not self.built:
            return 200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": REVALIDATE}, NOT_BUILT
        return self._send(self.root.resolve() / "index.html", headers)

    def _send(self, path: Path, headers: dict[str, str]) -> Response:
        stat = path.stat()
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        relative = path.relative_to(self.root.resolve()).as_posix()
        out = {
            "Content-Type": content_type(path),
            "Cache-Control": IMMUTABLE if HASHED.match(relative) else REVALIDATE,
            "ETag": etag,
            "X-Content-Type-Options": "nosniff",
        }
        if etag in [t.strip() for t in (headers.get("if-none-match") or "").split(",")]:
            return 304, out, b""
        return 200, out, path.read_bytes()
