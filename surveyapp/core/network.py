"""A keyed, coarse fingerprint of the sender's network, never the address itself."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from flask import current_app

# IPv4 /24 and IPv6 /48: one office or mobile carrier cell, not one person.
IPV4_PREFIX = 24
IPV6_PREFIX = 48


def network_hash(address: str | None) -> str | None:
    """16 hex characters naming the sender's network; None for no or bad address."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    network = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, b"network:" + str(network).encode(), hashlib.sha256)
    return digest.hexdigest()[:16]
