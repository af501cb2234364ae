"""Receipt QR codes: the citizen's one-time survey, API keys and batch files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import PurePosixPath

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from surveyapp.core.access import visible_agency_ids
from surveyapp.core.apikeys import create_key, list_keys, revoke
from surveyapp.core.audit import record
from surveyapp.core.links import qr_png, qr_svg
from surveyapp.core.receipts import (
    Issued,
    ReceiptError,
    ReceiptState,
    check_receipt,
    issue_receipts,
    receipt_from_token,
    receipt_url,
)
from surveyapp.core.tree import walk_tree
from surveyapp.core.uploads import RowError
from surveyapp.extensions import csrf, db
from surveyapp.models import (
    Agency,
    ApiKey,
    Receipt,
    Role,
    get_by_code,
)
from surveyapp.receipts.batch import (
    BATCH_COLUMNS,
    MAX_BATCH_ROWS,
    OPTIONAL_BATCH_COLUMNS,
    ReceiptBatchError,
    batch_csv,
    check_batch,
)
from surveyapp.receipts.forms import ApiKeyForm, ReceiptBatchForm
from surveyapp.receipts.masking import mask_dossier_code
from surveyapp.survey.submission import (
    ReceiptAlreadyUsed,
    build_survey_form,
    find_by_idempotency_key,
    flag_submission,
    receipt_target,
    store_response,
)
from surveyapp.web.access import roles_required
from surveyapp.web.language import current_language
from surveyapp.web.ratelimit import limit_submissions

bp = Blueprint("receipts", __name__)
# A page listing every problem of a 10,000-row file would not help anyone.
SHOWN_ERRORS = 500


def _receipt_or_404(token: str) -> Receipt:
    receipt = receipt_from_token(token)
    if receipt is None:
        abort(404)
    return receipt


def _refused(receipt: Receipt, state: ReceiptState) -> ResponseReturnValue:
    """The friendly page of a used (409) or expired (410) receipt."""
    if state == ReceiptState.USED:
        return render_template("receipts/already_rated.html", receipt=receipt), 409
    return render_template("receipts/expired.html", receipt=receipt), 410


@bp.route("/r/<token>", methods=["GET", "POST"])
@limit_submissions
def take(token: str) -> ResponseReturnValue:
    """The survey of one dossier's receipt, answered once."""
    check = check_receipt(token)
    receipt = check.receipt
    questionnaire = receipt.counter.active_questionnaire() if receipt else None
    if receipt is None or questionnaire is None:
        abort(404)
    language = current_language()
    thanks = url_for("receipts.thanks", token=token, lang=language)
    resent = (
        find_by_idempotency_key(request.form.get("idempotency_key", ""))
        if request.method == "POST"
        else None
    )
    if resent is not None and resent.receipt_id == receipt.id:
        return redirect(thanks)  # a double tap on the form that was stored
    if check.state != ReceiptState.VALID:
        return _refused(receipt, check.state)
    target, fields = receipt_target(receipt, questionnaire)
    form = build_survey_form(target, fields, language)
    if form.validate_on_submit():
        sending = form.sending(request.remote_addr)
        try:
            store_response(flag_submission(form.submission(), sending))
        except ReceiptAlreadyUsed:
            return _refused(receipt, ReceiptState.USED)
        return redirect(thanks)
    return render_template(
        "survey/take.html",
        form=form,
        counter=receipt.counter,
        questionnaire=questionnaire,
        language=language,
        receipt=receipt,
        dossier=mask_dossier_code(receipt.dossier_code),
    ), (422 if form.is_submitted() else 200)


# The form checks its own CSRF token and keeps the answers when it has expired,
# as on the counter survey; the global check would answer 400 and lose them.
csrf.exempt(take)


@bp.get("/r/<token>/cam-on")
def thanks(token: str) -> str:
    """The thank-you page after a receipt's response."""
    receipt = _receipt_or_404(token)
    # The receipt selects the honest footer: the answers are linked to the dossier.
    return render_template(
        "survey/thanks.html", counter=receipt.counter, receipt=receipt
    )


@bp.get("/r/<token>/qr.png")
def qr_png_image(token: str) -> Response:
    """The receipt's QR code as PNG, to print on the receipt."""
    return Response(qr_png(receipt_url(_receipt_or_404(token))), mimetype="image/png")


@bp.get("/r/<token>/qr.svg")
def qr_svg_image(token: str) -> Response:
    """The receipt's QR code as SVG."""
    url = receipt_url(_receipt_or_404(token))
    return Response(qr_svg(url), mimetype="image/svg+xml")


# Managers' pages ---------------------------------------------------------------------


def _render_batch(form: ReceiptBatchForm, errors: list[RowError] | None = None) -> str:
    errors = errors or []
    return render_template(
        "receipts/batch.html",
        form=form,
        errors=errors[:SHOWN_ERRORS],
        error_count=len(errors),
        columns=BATCH_COLUMNS | OPTIONAL_BATCH_COLUMNS,
        max_rows=MAX_BATCH_ROWS,
    )


@bp.route("/quan-ly/bien-nhan/", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.MANAGER)
def batch() -> ResponseReturnValue:
    """Issue the receipts of a file of dossiers; answer a CSV of their links."""
    form = ReceiptBatchForm()
    if not form.is_submitted():
        return _render_batch(form)
    if not form.validate():
        return _render_batch(form), 422
    filename = _file_name(form.file.data.filename)
    try:
        requests = check_batch(
            form.file.data.read(), filename, visible_agency_ids(current_user)
        )
        issued = issue_receipts(
            requests, issued_by=current_user, before_commit=_audit_batch(filename)
        )
    except ReceiptBatchError as error:
        return _render_batch(form, error.errors), 422
    except ReceiptError as error:
        # Another upload or the API issued one of these dossiers meanwhile.
        return _render_batch(form, [RowError(None, "", error.message)]), 409
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Response(
        batch_csv(issued),
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="bien-nhan-{stamp}.csv"'
        },
    )


def _file_name(name: str | None) -> str:
    """The uploaded file's base name (some browsers send a whole Windows path)."""
    return PurePosixPath((name or "").replace("\\", "/")).name[:255]


def _audit_batch(filename: str) -> Callable[[list[Issued]], None]:
    def audit(issued: list[Issued]) -> None:
        record(
            "receipt_batch",
            target=filename,
            details={
                "rows": len(issued),
                "new": sum(item.created for item in issued),
            },
        )

    return audit


def _agency_choices() -> list[tuple[str, str]]:
    return [
        (agency.code, f"{'  ' * depth}{agency.name} ({agency.code})")
        for agency, depth in walk_tree()
    ]


@bp.route("/quan-ly/bien-nhan/khoa-api", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def api_keys() -> ResponseReturnValue:
    """API keys of one-stop software: list and create (the key is shown once)."""
    form = ApiKeyForm()
    form.agency.choices = _agency_choices()
    secret = None
    status = 200
    if form.validate_on_submit():
        agency = get_by_code(Agency, form.agency.data)
        if agency is None:  # deleted since the page was shown
            abort(404)
        api_key, secret = create_key(agency, form.name.data, created_by=current_user)
        record(
            "api_key_create",
            target=api_key.prefix,
            details={"agency": agency.code, "name": api_key.name},
        )
        db.session.commit()
        form = ApiKeyForm(formdata=None)
        form.agency.choices = _agency_choices()
    elif form.is_submitted():
        status = 422
    page = render_template(
        "receipts/api_keys.html", form=form, keys=list_keys(), secret=secret
    )
    # The new key is in this page only: keep it out of every cache.
    return page, status, {"Cache-Control": "no-store"}


@bp.post("/quan-ly/bien-nhan/khoa-api/<int:key_id>/thu-hoi")
@roles_required(Role.ADMIN)
def revoke_api_key(key_id: int) -> ResponseReturnValue:
    """Revoke an API key for good (audited)."""
    api_key = db.session.get(ApiKey, key_id)
    if api_key is None:
        abort(404)
    if revoke(api_key):
        record("api_key_revoke", target=api_key.prefix, details={"name": api_key.name})
        db.session.commit()
        flash(_("Key %(prefix)s… revoked.", prefix=api_key.prefix), "info")
    return redirect(url_for("receipts.api_keys"))
