"""Dossier counts: upload, template, listing (admins only)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import PurePosixPath

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_number
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from surveyapp.core.audit import record
from surveyapp.core.uploads import RowError, UploadError
from surveyapp.dossiers.forms import DossierUploadForm
from surveyapp.dossiers.importer import COLUMNS, MAX_ROWS, import_counts
from surveyapp.dossiers.template import XLSX_MIMETYPE, template_csv, template_xlsx
from surveyapp.dossiers.totals import totals_by_year_and_agency
from surveyapp.extensions import db
from surveyapp.models import Role
from surveyapp.web.access import roles_required

bp = Blueprint("dossiers", __name__, url_prefix="/quan-ly/ho-so")

# A page listing every problem of a 100,000-row file would not help anyone.
SHOWN_ERRORS = 500
TEMPLATES = {
    "xlsx": (template_xlsx, XLSX_MIMETYPE),
    "csv": (template_csv, "text/csv; charset=utf-8"),
}
TEMPLATE_FILE_NAME = "mau-so-ho-so"


def _render_index(form: DossierUploadForm, errors: Sequence[RowError] = ()) -> str:
    return render_template(
        "dossiers/index.html",
        form=form,
        totals=totals_by_year_and_agency(),
        errors=errors[:SHOWN_ERRORS],
        error_count=len(errors),
        columns=COLUMNS,
        max_rows=MAX_ROWS,
    )


def _file_name(name: str | None) -> str:
    """The uploaded file's base name (some browsers send a whole Windows path)."""
    return PurePosixPath((name or "").replace("\\", "/")).name[:255]


@bp.get("/")
@roles_required(Role.ADMIN)
def index() -> str:
    """Counts stored per year and agency, and the upload form."""
    return _render_index(DossierUploadForm())


@bp.post("/tai-len")
@roles_required(Role.ADMIN)
def upload() -> ResponseReturnValue:
    """Import a file of counts: every row, or none and the list of problems."""
    form = DossierUploadForm()
    if not form.validate_on_submit():
        return _render_index(form), 422
    filename = _file_name(form.file.data.filename)
    try:
        summary = import_counts(form.file.data.read(), filename)
    except UploadError as error:
        return _render_index(form, error.errors), 422
    record("dossier_upload", target=filename, details=summary.as_dict())
    try:
        db.session.commit()
    except IntegrityError:
        # Another upload stored the same month at the same moment; nothing of this
        # file was kept, so sending it again is safe.
        db.session.rollback()
        flash(
            _(
                "Another upload changed these counts at the same time: nothing was "
                "imported. Please send the file again."
            ),
            "error",
        )
        return _render_index(form), 409
    flash(
        _(
            "Imported %(rows)s rows: %(inserted)s new, %(updated)s updated; "
            "%(dossiers)s dossiers in total.",
            rows=format_number(summary.rows),
            inserted=format_number(summary.inserted),
            updated=format_number(summary.updated),
            dossiers=format_number(summary.dossiers),
        ),
        "info",
    )
    return redirect(url_for("dossiers.index"))


@bp.get("/mau")
@roles_required(Role.ADMIN)
def template() -> ResponseReturnValue:
    """Download the template: ?format=xlsx (the default) or ?format=csv."""
    file_format = request.args.get("format", "xlsx")
    if file_format not in TEMPLATES:
        abort(404)
    build, mimetype = TEMPLATES[file_format]
    return send_file(
        io.BytesIO(build()),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"{TEMPLATE_FILE_NAME}.{file_format}",
    )
