from django.urls import path

from anchang.assignment.channels import views as channels
from anchang.assignment.conflicts import views as conflicts
from anchang.assignment.handover import views as handover
from anchang.assignment.imports import views as imports
from anchang.assignment.reception import views as reception

app_name = "assignment"

urlpatterns = [
    # reception (排轮)
    path("reception/", reception.reception, name="reception"),
    path("reception/panel/", reception.reception_panel, name="reception-panel"),
    path("reception/walk-in/", reception.walk_in, name="walk-in"),
    path("reception/sign-in/", reception.sign_in, name="sign-in"),
    path("reception/duty/<int:pk>/", reception.duty_set, name="duty"),
    path("reception/skip/", reception.skip, name="skip"),
    path("reception/ledger/", reception.ledger, name="ledger"),
    path("reception/fairness/", reception.fairness, name="fairness"),
    # assignment and handover (分配, 离职交接)
    path("assignment/", handover.assign, {"kind": "queue"}, name="queue"),
    path("assignment/lapsed/", handover.assign, {"kind": "lapsed"}, name="lapsed"),
    path("assignment/handover/", handover.handover, name="handover"),
    # ownership conflicts decided on evidence (撞单)
    path("assignment/conflicts/<int:pk>/", conflicts.conflict, name="conflict"),
    # channel reports (渠道报备)
    path("channel/", channels.report, name="channel-report"),
    path("channel/reports/", channels.reports, name="channel-reports"),
    path("channel/reports/<int:pk>/paid/", channels.commission_paid, name="channel-paid"),
    path("channel/reports/<int:pk>/decide/", channels.decide, name="channel-decide"),
    # imports (导入): registers and customer lists from Excel
    path("imports/", imports.imports, name="imports"),
    path("imports/<int:pk>/", imports.batch, name="import"),
    path("imports/<int:pk>/progress/", imports.progress, name="import-progress"),
    path("imports/<int:pk>/rejects/", imports.rejects, name="import-rejects"),
]
