"""Why a manager may hide a citizen's comment: one list for the form, the
comments page and the audit log."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

# The code stored with the comment and in the audit log, and the words shown.
HIDE_REASONS: dict[str, LazyString] = {
    "personal_data": _l("Personal data (a name, phone number or address)"),
    "abusive": _l("Abusive or offensive language"),
    "spam": _l("Spam or advertising"),
    "off_topic": _l("Not about the service"),
}
