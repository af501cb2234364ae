"""Receipt QR codes: one rating per dossier (mã hồ sơ).

A receipt's survey URL is `/r/<public_id>.<signature>`: `public_id` is random and
the signature an HMAC of it under the app's secret, truncated like the counter
links (:mod:`surveyapp.core.links`), so nobody can make a working receipt
link. A receipt expires (`RECEIPT_DAYS`, default 30 days) and can be used once:
the unique `responses.receipt_id` column guarantees it, whatever the number of
simultaneous submissions.

A dossier is named by its code and its issuing agency (the counter's service
point): agencies number their dossiers on their own, so the same code at two
agencies is two dossiers, and nothing one agency does with a code is seen by
another. Issuing is idempotent per dossier: issuing again returns the same receipt
(same link, same expiry), except that an expired receipt never used gets a new link
and validity, so that the dossier can still be rated; a dossier already issued at
another counter of the agency is refused. A receipt keeps working if its counter is
stopped later (the dossier was served), but no new receipt is issued for a stopped
counter.
"""

from __future__ import annotations

import enum
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from surveyapp.core.links import external_url
from surveyapp.core.tokens import signed, verified
from surveyapp.core.uploads import Message
from surveyapp.extensions import db
from surveyapp.models import (
    ApiKey,
    Counter,
    Receipt,
    Response,
    ServiceField,
    User,
    utc_now,
)

DEFAULT_DAYS = 30
MAX_DAYS = 366
RECEIPT_LINK = "receipt-link"
# Printable ASCII without spaces, at most the column's 64 characters: one-stop
# software writes codes such as 000.00.20.H56-250812-0001. The OpenAPI document
# declares this very pattern.
DOSSIER_CODE_PATTERN = r"^[!-~]{1,64}$"


# Who issues: the API key's id and the user's id, either or none (the CLI).
Issuer = tuple[int | None, int | None]


class ReceiptError(ValueError):
    """A receipt cannot be issued as asked; `message` says why, for users."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)  # translated when read, not when raised


class ReceiptState(enum.StrEnum):
    """What a receipt link is worth now."""

    VALID = "valid"
    NOT_FOUND = "not_found"  # tampered, or no such receipt
    EXPIRED = "expired"
    USED = "used"


@dataclass(frozen=True)
class ReceiptCheck:
    """The state of a receipt link, and the receipt unless it was not found."""

    state: ReceiptState
    receipt: Receipt | None


@dataclass(frozen=True)
class IssueRequest:
    """A receipt to issue: a counter, a dossier code and, when the one-stop
    software knows it, the dossier's service field (line: in a batch file)."""

    counter: Counter
    dossier_code: str
    line: int | None = None
    service_field: ServiceField | None = None


@dataclass(frozen=True)
class Issued:
    """An issued receipt and whether this call created it."""

    receipt: Receipt
    created: bool

    @property
    def token(self) -> str:
        return receipt_token(self.receipt)

    @property
    def url(self) -> str:
        return receipt_url(self.receipt)


# Tokens and links ------------------------------------------------------------------


def receipt_token(receipt: Receipt) -> str:
    """The signed token that names `receipt` in its survey URL."""
    return signed(RECEIPT_LINK, receipt.public_id)


def receipt_url(receipt: Receipt) -> str:
    """The absolute survey URL printed as a QR code on the receipt."""
    return external_url("receipts.take", token=receipt_token(receipt))


def receipt_qr_urls(receipt: Receipt) -> tuple[str, str]:
    """Absolute URLs of the receipt's QR code as PNG and as SVG."""
    token = receipt_token(receipt)
    return (
        external_url("receipts.qr_png_image", token=token),
        external_url("receipts.qr_svg_image", token=token),
    )


def signed_receipt_id(token: str) -> str | None:
    """The receipt's public id in `token` if the app signed it; no database look-up."""
    return verified(RECEIPT_LINK, token)


def receipt_from_token(token: str) -> Receipt | None:
    """The receipt a token names, or None for a tampered or unknown token."""
    public_id = signed_receipt_id(token)
    if public_id is None:
        return None
    return db.session.scalars(
        select(Receipt).where(Receipt.public_id == public_id)
    ).first()


def as_utc(moment: datetime) -> datetime:
    """`moment` with its UTC time zone (SQLite hands back naive datetimes)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def is_expired(receipt: Receipt, now: datetime | None = None) -> bool:
    """Whether the receipt's link has expired."""
    return (now or utc_now()) >= as_utc(receipt.expires_at)


def response_for(receipt: Receipt) -> Response | None:
    """The response given with `receipt`, if any."""
    return db.session.scalars(
        select(Response).where(Response.receipt_id == receipt.id)
    ).first()


def check_receipt(token: str, now: datetime | None = None) -> ReceiptCheck:
    """The state of a receipt link: valid, not found, expired, or used.

    A used receipt reads "used" even once expired: that is the useful answer.
    """
    receipt = receipt_from_token(token)
    if receipt is None:
        return ReceiptCheck(ReceiptState.NOT_FOUND, None)
    if response_for(receipt) is not None:
        return ReceiptCheck(ReceiptState.USED, receipt)
    if is_expired(receipt, now):
        return ReceiptCheck(ReceiptState.EXPIRED, receipt)
    return ReceiptCheck(ReceiptState.VALID, receipt)


# Issuing ---------------------------------------------------------------------------


def validity_days(days: int | None) -> int:
    """Days a new receipt stays valid: `days`, or RECEIPT_DAYS (default 30)."""
    if days is None:
        days = int(current_app.config.get("RECEIPT_DAYS", DEFAULT_DAYS))
    if not 1 <= days <= MAX_DAYS:
        raise ReceiptError(
            _l("A receipt is valid for 1 to %(max)d days.", max=MAX_DAYS)
        )
    return days


def clean_dossier_code(code: object) -> str:
    """The dossier code without surrounding spaces; ReceiptError if unusable."""
    text = code.strip() if isinstance(code, str) else ""
    if not text:
        raise ReceiptError(_l("The dossier code is empty."))
    if not re.fullmatch(DOSSIER_CODE_PATTERN, text):
        raise ReceiptError(
            _l(
                "A dossier code has at most 64 characters: unaccented letters, "
                "digits and punctuation, without spaces."
            )
        )
    return text


# A dossier is named by its issuing agency (the counter's service point) and its
# code: agencies number their dossiers on their own.
DossierKey = tuple[int, str]


def dossier_key(counter: Counter, dossier_code: str) -> DossierKey:
    """The dossier a code names at `counter`: codes are unique per agency."""
    return (counter.service_point_id, dossier_code)


def existing_receipts(keys: Iterable[DossierKey]) -> dict[DossierKey, Receipt]:
    """The receipts already issued for these dossiers, by dossier."""
    wanted = set(keys)
    if not wanted:
        return {}
    found = db.session.scalars(
        select(Receipt).where(
            Receipt.agency_id.in_({agency_id for agency_id, _ in wanted}),
            Receipt.dossier_code.in_({code for _, code in wanted}),
        )
    )
    return {
        key: receipt
        for receipt in found
        if (key := (receipt.agency_id, receipt.dossier_code)) in wanted
    }


def another_counter_error(code: str, receipt: Receipt) -> ReceiptError:
    # The other counter is at the same agency (codes are unique per agency), but
    # the caller may only know its own counter: do not name it.
    return ReceiptError(
        _l(
            "Dossier %(dossier)s already has a receipt from another counter.",
            dossier=code,
        )
    )


def _refuse_stopped(counter: Counter) -> None:
    if not counter.active:
        raise ReceiptError(_l("Counter %(code)s is stopped.", code=counter.code))


def _renew(receipt: Receipt, days: int, issuer: Issuer) -> None:
    """Give an expired, unused receipt a new link and a new validity.

    The citizen never rated the dossier: the new receipt must be ratable, and the
    old printed link stays dead (its public id is replaced).
    """
    _refuse_stopped(receipt.counter)
    now = utc_now()
    receipt.public_id = secrets.token_urlsafe(12)
    receipt.issued_at = now
    receipt.expires_at = now + timedelta(days=days)
    receipt.api_key_id, receipt.issued_by_id = issuer


def _new_receipt(request: IssueRequest, days: int, issuer: Issuer) -> Receipt:
    _refuse_stopped(request.counter)
    now = utc_now()
    api_key_id, issued_by_id = issuer
    receipt = Receipt(
        public_id=secrets.token_urlsafe(12),
        dossier_code=request.dossier_code,
        agency_id=request.counter.service_point_id,
        counter=request.counter,
        counter_id=request.counter.id,
        issued_at=now,
        expires_at=now + timedelta(days=days),
        api_key_id=api_key_id,
        issued_by_id=issued_by_id,
        service_field=request.service_field,
    )
    db.session.add(receipt)
    return receipt


def _add_receipts(
    requests: Sequence[IssueRequest], days: int, issuer: Issuer
) -> list[Issued]:
    existing = existing_receipts(
        dossier_key(request.counter, request.dossier_code) for request in requests
    )
    issued = []
    for request in requests:
        key = dossier_key(request.counter, request.dossier_code)
        receipt = existing.get(key)
        if receipt is None:
            existing[key] = receipt = _new_receipt(request, days, issuer)
            issued.append(Issued(receipt, created=True))
            continue
        if receipt.counter_id != request.counter.id:
            raise another_counter_error(request.dossier_code, receipt)
        if request.service_field is not None:
            # A correction by the one-stop software; a response already given
            # keeps the field it was stored with.
            receipt.service_field = request.service_field
        renewed = receipt.id is not None and _is_renewable(receipt)
        if renewed:
            _renew(receipt, days, issuer)
        issued.append(Issued(receipt, created=receipt.id is None or renewed))
    db.session.flush()
    return issued


def _is_renewable(receipt: Receipt) -> bool:
    """Expired and never used: the dossier was not rated and can be no more."""
    return is_expired(receipt) and response_for(receipt) is None


def issue_receipts(
    requests: Sequence[IssueRequest],
    *,
    days: int | None = None,
    api_key: ApiKey | None = None,
    issued_by: User | None = None,
    before_commit: Callable[[list[Issued]], None] | None = None,
) -> list[Issued]:
    """Issue (or find again) the receipts of `requests`, all of them or none.

    Commits: when another request issues the same dossier at the same moment, the
    unique dossier code stops the second insert, and the issue is tried once more,
    now finding the other request's receipt. `before_commit` adds to the same
    transaction (an audit event).
    """
    number_of_days = validity_days(days)
    issuer = (
        api_key.id if api_key is not None else None,
        issued_by.id if issued_by is not None else None,
    )
    for attempt in (1, 2):
        try:
            issued = _add_receipts(requests, number_of_days, issuer)
            if before_commit is not None:
                before_commit(issued)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise
            continue
        except ReceiptError:
            db.session.rollback()
            raise
        return issued
    raise AssertionError("unreachable")  # pragma: no cover


def issue_receipt(
    counter: Counter,
    dossier_code: str,
    *,
    days: int | None = None,
    api_key: ApiKey | None = None,
    issued_by: User | None = None,
    service_field: ServiceField | None = None,
) -> Issued:
    """Issue one receipt (or find it again); see :func:`issue_receipts`."""
    code = clean_dossier_code(dossier_code)
    request = IssueRequest(counter, code, service_field=service_field)
    return issue_receipts([request], days=days, api_key=api_key, issued_by=issued_by)[0]
