"""Security headers on every response, set in this one place.

One `after_request` rather than Flask-Talisman: its last release is from 2023,
and its defaults (redirecting to HTTPS, rewriting cookie flags, the retired
Feature-Policy header) would each need turning off here, where nginx and
config.py already decide them.

The policy allows scripts, styles, images and fonts from this site only: no
inline script, no `style` attribute, nothing from another origin. The charts are
inline SVG with presentation attributes, which a policy does not count as
styles; `data:` images are only the empty favicon.
"""

from __future__ import annotations

from flask import Flask, Response, current_app

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Nothing here uses a camera, a microphone, the location or payments.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # For browsers that predate frame-ancestors.
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Survey, receipt and kiosk URLs carry tokens: no other site gets them.
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
}


def add_security_headers(response: Response) -> Response:
    """Set the headers above, and HSTS where the deployment asks for it."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    hsts_seconds = int(current_app.config["HSTS_SECONDS"])
    if hsts_seconds:
        response.headers.setdefault(
            "Strict-Transport-Security", f"max-age={hsts_seconds}"
        )
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response, pages, JSON and static files alike."""
    app.after_request(add_security_headers)
