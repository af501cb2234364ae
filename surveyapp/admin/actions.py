"""What each audited action is called on the audit log page."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from surveyapp.core.moderation import HIDE_REASONS

# An action missing here is shown by its code, never hidden.
ACTION_LABELS: dict[str, LazyString] = {
    "sign_in": _l("Signed in"),
    "sign_in_failed": _l("Wrong password at sign-in"),
    "sign_out": _l("Signed out"),
    "password_change": _l("Changed the password"),
    "account_locked": _l("Account locked after wrong passwords"),
    "account_unlock": _l("Account unlocked"),
    "user_create": _l("Created a user"),
    "digest_settings": _l("Changed the weekly email settings"),
    "counter_create": _l("Added a counter"),
    "counter_off": _l("Stopped a counter"),
    "counter_on": _l("Resumed a counter"),
    "counter_fields": _l("Changed the service fields of a counter"),
    "comment_hide": _l("Hid a comment"),
    "comment_show": _l("Showed a comment again"),
    "response_confirm": _l("Confirmed a flagged response (kept out of scores)"),
    "response_clear": _l("Cleared a flagged response (counted again)"),
    "dossier_upload": _l("Uploaded dossier counts"),
    "translations_import": _l("Imported questionnaire translations"),
    "receipt_batch": _l("Issued receipts from a file"),
    "api_key_create": _l("Created an API key"),
    "api_key_revoke": _l("Revoked an API key"),
    "kiosk_create": _l("Registered a kiosk"),
    "kiosk_revoke": _l("Revoked a kiosk"),
    "logo_upload": _l("Uploaded the posters' logo"),
    "logo_remove": _l("Removed the posters' logo"),
    "export": _l("Downloaded a report"),
    "finalise": _l("Finalised a year"),
}


# Detail values stored as codes, shown in words (unknown codes as they are).
DETAIL_LABELS: dict[str, dict[str, LazyString]] = {"reason": HIDE_REASONS}


def detail_text(key: str, value: object) -> str:
    """One detail of an audit entry as the page shows it."""
    label = DETAIL_LABELS.get(key, {}).get(str(value))
    return str(label) if label is not None else str(value)


def action_label(action: str) -> str:
    """The action in words in the page's language; its code when unknown."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
