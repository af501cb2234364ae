"""Kiosks: tablets at a counter, each with a secret key.

The key is in the address an admin opens once on the tablet, which keeps it in a
cookie. Only a SHA-256 hash of the key is stored, so the address is shown once,
when the kiosk is registered; a lost address means revoking the kiosk and
registering a new one.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from surveyapp.core.audit import record
from surveyapp.core.links import external_url
from surveyapp.core.tokens import typable_token
from surveyapp.extensions import db
from surveyapp.models import Counter, Kiosk, utc_now

KEY_BYTES = 24  # 192 bits, 32 URL-safe characters
PREFIX_LENGTH = 8  # shown in lists to tell kiosks apart; not enough to guess the key


class KioskError(ValueError):
    """A kiosk command that cannot be done (unknown counter, ambiguous prefix...)."""


def hash_key(key: str) -> str:
    """The stored form of a kiosk key."""
    return hashlib.sha256(key.encode()).hexdigest()


def kiosk_url(key: str) -> str:
    """The absolute address to open (once) on the kiosk's tablet."""
    return external_url("kiosk.enrol", key=key)


def register_kiosk(counter: Counter, name: str) -> tuple[Kiosk, str]:
    """Add a kiosk for `counter` and its audit event; return it and its key.

    The caller commits. The key exists only in the return value.
    """
    used = set(db.session.scalars(select(Kiosk.prefix)))
    key = typable_token(KEY_BYTES)
    while key[:PREFIX_LENGTH] in used:  # keep prefixes unique, so revoking is exact
        key = typable_token(KEY_BYTES)
    kiosk = Kiosk(
        counter=counter,
        name=name.strip(),
        prefix=key[:PREFIX_LENGTH],
        key_hash=hash_key(key),
    )
    db.session.add(kiosk)
    record(
        "kiosk_create",
        target=kiosk.prefix,
        details={"counter": counter.code, "name": kiosk.name},
    )
    return kiosk, key


def revoke_kiosk(kiosk: Kiosk) -> None:
    """Stop `kiosk` from taking surveys (idempotent); the caller commits."""
    if kiosk.revoked_at is None:
        kiosk.revoked_at = utc_now()
        record(
            "kiosk_revoke", target=kiosk.prefix, details={"counter": kiosk.counter.code}
        )


def kiosk_from_key(key: str) -> Kiosk | None:
    """The active kiosk whose key is `key`, at an active counter; else None."""
    kiosk = db.session.scalars(
        select(Kiosk).where(Kiosk.key_hash == hash_key(key))
    ).first()
    if kiosk is None or not kiosk.active or not kiosk.counter.active:
        return None
    return kiosk


def list_kiosks() -> list[Kiosk]:
    """Every kiosk, active ones first, newest first."""
    return list(
        db.session.scalars(
            select(Kiosk).order_by(
                Kiosk.revoked_at.is_not(None), Kiosk.created_at.desc(), Kiosk.id.desc()
            )
        )
    )


def find_by_prefix(prefix: str) -> Kiosk:
    """The one kiosk whose key starts with `prefix`; KioskError otherwise."""
    if not prefix:
        raise KioskError("Give the kiosk's prefix, as shown by `flask kiosks list`.")
    matches = [
        kiosk
        for kiosk in db.session.scalars(select(Kiosk).order_by(Kiosk.id))
        if kiosk.prefix.startswith(prefix) or prefix.startswith(kiosk.prefix)
    ]
    if not matches:
        raise KioskError(f"No kiosk has the prefix {prefix!r}.")
    if len(matches) > 1:
        raise KioskError(f"Several kiosks match {prefix!r}: give more characters.")
    return matches[0]
