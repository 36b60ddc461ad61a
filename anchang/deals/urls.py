from django.urls import path

from anchang.deals import views

app_name = "deals"

urlpatterns = [
    path("", views.deal_list, name="list"),
    path("new/", views.deal_new, name="new"),
    path("<int:pk>/", views.deal_detail, name="detail"),
    path("<int:pk>/move/", views.deal_move, name="move"),
    path("<int:pk>/request/", views.deal_request, name="request"),
    path("<int:pk>/receipts/", views.deal_receipt, name="receipt"),
    path("<int:pk>/refund/", views.deal_refund, name="refund"),
    path("<int:pk>/plan/", views.deal_plan, name="plan"),
    path("board/", views.board, name="board"),
    path("board/grid/", views.board_grid, name="board-grid"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/hold/", views.unit_hold, name="unit-hold"),
    path("units/<int:pk>/release/", views.unit_release, name="unit-release"),
    path("units/<int:pk>/request/", views.unit_request, name="unit-request"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:pk>/decide/", views.approval_decide, name="approval-decide"),
    path("collections/", views.collections, name="collections"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("dispatch/", views.dispatch_queue, name="dispatch"),
    path("dispatch/<int:pk>/decide/", views.dispatch_decide, name="dispatch-decide"),
    path("<int:pk>/refuse-order/", views.deal_refuse_order, name="refuse-order"),
    path("designers/", views.designers, name="designers"),
    path("contract-forms/", views.contract_forms, name="contract-forms"),
    path("stale/", views.stale, name="stale"),
]
