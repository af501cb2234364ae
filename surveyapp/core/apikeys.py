"""API keys for one-stop software: created once, stored hashed, revocable.

A key is `secrets.token_urlsafe(32)` (256 bits). Only its SHA-256 hex digest and
its first characters (to tell keys apart in lists) are stored, so a copy of the
database does not give anyone a working key. A key belongs to an agency and may
issue receipts only for the counters of that agency's subtree.
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import select

from surveyapp.core.tokens import typable_token
from surveyapp.core.tree import subtree_ids
from surveyapp.extensions import db
from surveyapp.models import Agency, ApiKey, Counter, User, utc_now

PREFIX_LENGTH = 8
NAME_MAX_LENGTH = 255
BEARER = "bearer "


class ApiKeyError(ValueError):
    """A key cannot be created or revoked as asked (the message says why)."""


def hash_key(key: str) -> str:
    """The SHA-256 hex digest stored for `key`."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(
    agency: Agency, name: str, created_by: User | None = None
) -> tuple[ApiKey, str]:
    """A new key for `agency`'s subtree and its secret, shown once; caller commits."""
    name = name.strip()
    if not name or len(name) > NAME_MAX_LENGTH:
        raise ApiKeyError(f"the name must have 1 to {NAME_MAX_LENGTH} characters")
    secret = typable_token(32)
    api_key = ApiKey(
        agency=agency,
        name=name,
        prefix=secret[:PREFIX_LENGTH],
        key_hash=hash_key(secret),
        created_by_id=created_by.id if created_by is not None else None,
    )
    db.session.add(api_key)
    return api_key, secret


def key_from_header(authorization: str | None) -> ApiKey | None:
    """The active key of an `Authorization: Bearer <key>` header, or None.

    Marks the key as used now; the caller commits with the rest of the request.
    """
    if not authorization or not authorization[: len(BEARER)].lower() == BEARER:
        return None
    secret = authorization[len(BEARER) :].strip()
    if not secret:
        return None
    digest = hash_key(secret)
    api_key = db.session.scalars(
        select(ApiKey).where(ApiKey.key_hash == digest)
    ).first()
    # The look-up is by a hash of the secret; compare again in constant time so
    # that no code path compares the attacker's input byte by byte.
    if api_key is None or not hmac.compare_digest(api_key.key_hash, digest):
        return None
    if not api_key.active:
        return None
    api_key.last_used_at = utc_now()
    return api_key


def may_issue_for(api_key: ApiKey, counter: Counter) -> bool:
    """Whether `counter` is in the subtree of the key's agency."""
    return counter.service_point_id in subtree_ids(api_key.agency_id)


def list_keys() -> list[ApiKey]:
    """Every key, active ones first, newest first."""
    return list(
        db.session.scalars(
            select(ApiKey).order_by(
                ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id
            )
        )
    )


def keys_with_prefix(prefix: str) -> list[ApiKey]:
    """Keys whose stored prefix starts with `prefix` (at least 4 characters)."""
    prefix = prefix.strip()
    if len(prefix) < 4:
        raise ApiKeyError("give at least the first 4 characters of the key")
    return list(
        db.session.scalars(
            select(ApiKey)
            .where(ApiKey.prefix.startswith(prefix, autoescape=True))
            .order_by(ApiKey.id)
        )
    )


def revoke(api_key: ApiKey) -> bool:
    """Revoke `api_key` for good; False if it already was. The caller commits."""
    if api_key.revoked_at is not None:
        return False
    api_key.revoked_at = utc_now()
    return True
