"""Security headers on every response.

The Content-Security-Policy allows scripts and styles from our own origin
only: no inline script, no inline style, no CDN. League colours come from a
small stylesheet route for the same reason.
"""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Flask, request


def _image_sources(app: Flask) -> str:
    sources = ["'self'", "data:", "blob:"]
    if app.config["STORAGE_URL"].startswith("s3://"):
        endpoint = app.config.get("AWS_ENDPOINT_URL")
        if endpoint:
            parsed = urlparse(endpoint)
            sources.append(f"{parsed.scheme}://{parsed.netloc}")
        else:
            sources.append("https://*.amazonaws.com")
    return " ".join(sources)


def content_security_policy(app: Flask) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {_image_sources(app)}",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def init_app(app: Flask) -> None:
    policy = content_security_policy(app)

    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "geolocation=(), microphone=()")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        return response
