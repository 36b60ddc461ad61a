from django.urls import path
from drf_spectacular.views import SpectacularSwaggerView

from anchang.api.schema import SchemaView
from anchang.assignment.channels import api as channels_api
from anchang.assignment.conflicts import api as conflicts_api
from anchang.assignment.handover import api as handover_api
from anchang.assignment.imports import api as imports_api
from anchang.assignment.reception import api as reception_api
from anchang.care import api as care_api
from anchang.customers import api as customers_api
from anchang.deals import api as deals_api
from anchang.followups import api as followups_api
from anchang.followups.loss import api as loss_api
from anchang.followups.my_day import api as my_day_api
from anchang.followups.reviews import api as review_api
from anchang.followups.revisits import api as revisits_api
from anchang.followups.suspicion import api as suspicion_api
from anchang.org import api as org_api
from anchang.pool import api as pool_api

app_name = "api"

urlpatterns = [
    path("v1/me/", org_api.MeApi.as_view(), name="me"),
    path("v1/projects/", org_api.ProjectListApi.as_view(), name="projects"),
    path("v1/staff/", org_api.StaffListApi.as_view(), name="staff"),
    path("v1/tokens/", org_api.TokenListApi.as_view(), name="tokens"),
    path("v1/tokens/<str:token_key>/", org_api.TokenDetailApi.as_view(), name="token"),
    path("v1/registrations/", customers_api.RegistrationApi.as_view(), name="registrations"),
    path("v1/media/", customers_api.MediumListApi.as_view(), name="media"),
    path("v1/media/<int:pk>/", customers_api.MediumDetailApi.as_view(), name="medium"),
    path("v1/conflicts/", customers_api.ConflictListApi.as_view(), name="conflicts"),
    path(
        "v1/conflicts/<int:pk>/decide/",
        customers_api.ConflictDecideApi.as_view(),
        name="conflict-decide",
    ),
    path(
        "v1/customers/<int:pk>/key-dates/",
        customers_api.KeyDateListApi.as_view(),
        name="customer-key-dates",
    ),
    path(
        "v1/customers/<int:pk>/key-dates/<int:key_date_pk>/",
        customers_api.KeyDateDetailApi.as_view(),
        name="customer-key-date",
    ),
    path(
        "v1/customers/<int:pk>/history/",
        followups_api.CustomerHistoryApi.as_view(),
        name="customer-history",
    ),
    path(
        "v1/customers/<int:pk>/messages/",
        care_api.CustomerMessagesApi.as_view(),
        name="customer-messages",
    ),
    path(
        "v1/customers/<int:pk>/consent/",
        care_api.CustomerConsentApi.as_view(),
        name="customer-consent",
    ),
    path("v1/message-templates/", care_api.TemplateListApi.as_view(), name="message-templates"),
    path("v1/batches/", care_api.BatchListApi.as_view(), name="batches"),
    path("v1/batches/preview/", care_api.BatchPreviewApi.as_view(), name="batch-preview"),
    path("v1/batches/<int:pk>/", care_api.BatchDetailApi.as_view(), name="batch"),
    path("v1/batches/<int:pk>/decide/", care_api.BatchDecideApi.as_view(), name="batch-decide"),
    path("v1/customers/", customers_api.CustomerListApi.as_view(), name="customers"),
    path(
        "v1/customers/export/", customers_api.CustomerExportApi.as_view(), name="customers-export"
    ),
    path(
        "v1/customers/export/xlsx/",
        customers_api.CustomerExportXlsxApi.as_view(),
        name="customers-export-xlsx",
    ),
    path("v1/customers/<int:pk>/", customers_api.CustomerDetailApi.as_view(), name="customer"),
    path(
        "v1/customers/<int:pk>/reassign/",
        customers_api.CustomerReassignApi.as_view(),
        name="customer-reassign",
    ),
    path(
        "v1/customers/<int:pk>/reveal-phone/",
        customers_api.CustomerRevealPhoneApi.as_view(),
        name="customer-reveal-phone",
    ),
    path("v1/followups/", followups_api.FollowUpListApi.as_view(), name="followups"),
    path(
        "v1/followups/suspicious/",
        suspicion_api.SuspiciousFollowUpsApi.as_view(),
        name="followups-suspicious",
    ),
    path("v1/my-day/", my_day_api.MyDayApi.as_view(), name="my-day"),
    path(
        "v1/my-day/reminders/",
        my_day_api.MyDayRemindersApi.as_view(),
        name="my-day-reminders",
    ),
    path("v1/loss-applications/", loss_api.LossApplicationListApi.as_view(), name="losses"),
    path(
        "v1/loss-applications/<int:pk>/approve/",
        loss_api.LossApproveApi.as_view(),
        name="loss-approve",
    ),
    path(
        "v1/loss-applications/<int:pk>/reject/",
        loss_api.LossRejectApi.as_view(),
        name="loss-reject",
    ),
    path("v1/customers/<int:pk>/grade/", followups_api.CustomerGradeApi.as_view(), name="grade"),
    path("v1/pool/", pool_api.PoolListApi.as_view(), name="pool"),
    path("v1/pool/<int:pk>/claim/", pool_api.PoolClaimApi.as_view(), name="pool-claim"),
    path("v1/pool/hand-out/", pool_api.PoolHandOutApi.as_view(), name="pool-hand-out"),
    # deals (成交)
    path("v1/board/", deals_api.BoardApi.as_view(), name="board"),
    path("v1/units/", deals_api.UnitListApi.as_view(), name="units"),
    path("v1/units/<int:pk>/", deals_api.UnitDetailApi.as_view(), name="unit"),
    path("v1/units/sheet/", deals_api.UnitSheetApi.as_view(), name="units-sheet"),
    path("v1/units/<int:pk>/hold/", deals_api.UnitHoldApi.as_view(), name="unit-hold"),
    path("v1/units/<int:pk>/release/", deals_api.UnitReleaseApi.as_view(), name="unit-release"),
    path("v1/deals/", deals_api.DealListApi.as_view(), name="deals"),
    path("v1/deals/<int:pk>/", deals_api.DealDetailApi.as_view(), name="deal"),
    path("v1/deals/<int:pk>/move/", deals_api.DealMoveApi.as_view(), name="deal-move"),
    path("v1/deals/<int:pk>/requests/", deals_api.DealRequestApi.as_view(), name="deal-request"),
    path("v1/deals/<int:pk>/receipts/", deals_api.DealReceiptsApi.as_view(), name="deal-receipts"),
    path("v1/deals/<int:pk>/plan/", deals_api.DealPlanApi.as_view(), name="deal-plan"),
    path("v1/deals/<int:pk>/refunds/", deals_api.DealRefundApi.as_view(), name="deal-refund"),
    path("v1/approvals/", deals_api.ApprovalListApi.as_view(), name="approvals"),
    path(
        "v1/approvals/<int:pk>/decide/",
        deals_api.ApprovalDecideApi.as_view(),
        name="approval-decide",
    ),
    path("v1/collections/", deals_api.CollectionsApi.as_view(), name="collections"),
    path("v1/dispatches/", deals_api.DispatchListApi.as_view(), name="dispatches"),
    path(
        "v1/dispatches/<int:pk>/decide/",
        deals_api.DispatchDecideApi.as_view(),
        name="dispatch-decide",
    ),
    path(
        "v1/deals/<int:pk>/refuse-order/",
        deals_api.DealRefuseOrderApi.as_view(),
        name="deal-refuse-order",
    ),
    path("v1/deals/stale/", deals_api.StaleApi.as_view(), name="deals-stale"),
    path("v1/contract-forms/", deals_api.ContractFormListApi.as_view(), name="contract-forms"),
    path(
        "v1/contract-forms/move/",
        deals_api.ContractFormMoveApi.as_view(),
        name="contract-forms-move",
    ),  # fmt: skip
    # reception (排轮)
    path("v1/reception/", reception_api.DeskApi.as_view(), name="reception"),
    path("v1/reception/walk-ins/", reception_api.WalkInApi.as_view(), name="reception-walk-in"),
    path("v1/reception/sign-in/", reception_api.SignInApi.as_view(), name="reception-sign-in"),
    path("v1/reception/duty/<int:pk>/", reception_api.DutyApi.as_view(), name="reception-duty"),
    path("v1/reception/skips/", reception_api.SkipApi.as_view(), name="reception-skip"),
    path("v1/reception/ledger/", reception_api.LedgerApi.as_view(), name="reception-ledger"),
    path("v1/reception/fairness/", reception_api.FairnessApi.as_view(), name="reception-fairness"),
    # assignment and handover (分配, 离职交接)
    path("v1/assignment/queue/", handover_api.QueueApi.as_view(), name="assignment-queue"),
    path("v1/assignment/lapsed/", handover_api.LapsedApi.as_view(), name="assignment-lapsed"),
    path("v1/assignment/assign/", handover_api.AssignApi.as_view(), name="assignment-assign"),
    path("v1/assignment/handover/", handover_api.HandoverApi.as_view(), name="assignment-handover"),
    path(
        "v1/conflicts/<int:pk>/evidence/",
        conflicts_api.ConflictEvidenceApi.as_view(),
        name="conflict-evidence",
    ),
    path("v1/channel/reports/", channels_api.ChannelReportsApi.as_view(), name="channel-reports"),
    path(
        "v1/channel/project-reports/",
        channels_api.ProjectReportsApi.as_view(),
        name="channel-project-reports",
    ),  # fmt: skip
    path(
        "v1/channel/reports/<int:pk>/paid/",
        channels_api.ChannelPaidApi.as_view(),
        name="channel-paid",
    ),  # fmt: skip
    path(
        "v1/channel/reports/<int:pk>/decide/",
        channels_api.ChannelDecideApi.as_view(),
        name="channel-decide",
    ),  # fmt: skip
    path("v1/imports/", imports_api.ImportsView, name="imports"),
    path("v1/imports/<int:pk>/", imports_api.ImportApi.as_view(), name="import"),
    path("v1/imports/<int:pk>/rows/", imports_api.ImportRowsApi.as_view(), name="import-rows"),
    path(
        "v1/imports/<int:pk>/commit/", imports_api.ImportCommitApi.as_view(), name="import-commit"
    ),
    path(
        "v1/imports/<int:pk>/revert/", imports_api.ImportRevertApi.as_view(), name="import-revert"
    ),
    path(
        "v1/imports/<int:pk>/rejects/",
        imports_api.ImportRejectsApi.as_view(),
        name="import-rejects",
    ),
    path("v1/reviews/", review_api.ReviewListApi.as_view(), name="reviews"),
    path("v1/reviews/mark-done/", review_api.ReviewsDoneApi.as_view(), name="reviews-done"),
    path("v1/reviews/counts/", review_api.ReviewCountsApi.as_view(), name="review-counts"),
    path("v1/reviews/<int:pk>/read/", review_api.ReviewReadApi.as_view(), name="review-read"),
    path("v1/revisit-plans/", revisits_api.RevisitPlanListApi.as_view(), name="revisit-plans"),
    path(
        "v1/revisit-plans/<int:pk>/",
        revisits_api.RevisitPlanDetailApi.as_view(),
        name="revisit-plan",
    ),
    path(
        "v1/revisit-plans/<int:pk>/report/",
        revisits_api.RevisitPlanReportApi.as_view(),
        name="revisit-report",
    ),
    path(
        "v1/revisit-plans/<int:pk>/review/",
        revisits_api.RevisitPlanReviewApi.as_view(),
        name="revisit-review",
    ),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
