"""`flask` commands: each feature's command group, registered by the app factory."""

from __future__ import annotations

from flask.cli import AppGroup

from surveyapp.admin.cli import agencies_cli, questionnaires_cli
from surveyapp.auth.cli import users_cli
from surveyapp.counters.cli import counters_cli
from surveyapp.demo.cli import demo_cli
from surveyapp.digest.cli import digest_cli
from surveyapp.dossiers.cli import dossiers_cli
from surveyapp.kiosk.cli import kiosks_cli
from surveyapp.maintenance.cli import maintenance_cli
from surveyapp.receipts.cli import apikeys_cli, receipts_cli
from surveyapp.reports.cli import cells_cli, responses_cli, sipas_cli

command_groups: list[AppGroup] = [
    demo_cli,
    questionnaires_cli,
    counters_cli,
    responses_cli,
    users_cli,
    agencies_cli,
    dossiers_cli,
    sipas_cli,
    kiosks_cli,
    receipts_cli,
    apikeys_cli,
    cells_cli,
    maintenance_cli,
    digest_cli,
]
