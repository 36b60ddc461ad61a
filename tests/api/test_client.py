"""An integrator's typed client (issue 13): generated from /api/schema/ by
openapi-python-client at test time, then a journey through every operation against a live
server, as the roles that may call it. Every answer must parse into the generated models:
a field the schema mistypes, a missing one, an undocumented status or content type fails."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
import yaml
from django.utils import timezone, translation
from openpyxl import Workbook

from anchang.customers.models import Customer, OwnershipConflict
from anchang.deals import services
from anchang.deals.models import Unit
from anchang.org.models import Role, User
from anchang.org.services import membership_grant, token_create
from tests.conftest import make_user, next_phone

PACKAGE = "anchang_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The client package, generated from the schema the server serves."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiYamlRenderer

    out = tmp_path_factory.mktemp("client")
    with translation.override("en"):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        (out / "schema.yaml").write_bytes(OpenApiYamlRenderer().render(schema))
    # An .xlsx answer (an import's rejects) is a binary file to the client.
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    config = {"post_hooks": [], "content_type_overrides": {xlsx: "application/octet-stream"}}
    (out / "config.yaml").write_text(yaml.safe_dump(config))
    tool = Path(sys.executable).with_name("openapi-python-client")
    done = subprocess.run(
        [str(tool), "generate", "--path", str(out / "schema.yaml"), "--meta", "none",
         "--output-path", str(out / PACKAGE), "--config", str(out / "config.yaml")],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    # A warning means some piece of the schema could not be turned into a typed client.
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr
    sys.path.insert(0, str(out))
    try:
        package = importlib.import_module(PACKAGE)
        api = importlib.import_module(f"{PACKAGE}.api")
        operations = {
            m.name.rsplit(".", 1)[-1]: importlib.import_module(m.name)
            for m in pkgutil.walk_packages(api.__path__, f"{PACKAGE}.api.")
            if not m.ispkg
        }
        yield package, operations
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


class Journey:
    def __init__(self, package, operations, base_url):
        self.package, self.operations, self.base_url = package, operations, base_url
        self.models = importlib.import_module(f"{PACKAGE}.models")
        self.called: set[str] = set()

    def client(self, user):
        _instance, secret = token_create(actor=user, name="journey")
        return self.package.AuthenticatedClient(
            base_url=self.base_url, token=secret, prefix="Token",
            raise_on_unexpected_status=True,
        )  # fmt: skip

    def body(self, name: str, data: dict):
        return getattr(self.models, name).from_dict(data)

    def __call__(self, operation: str, client, status: int = 200, **kwargs):
        response = self.operations[operation].sync_detailed(client=client, **kwargs)
        assert response.status_code == status, (operation, response.status_code,
                                                response.content[:500])  # fmt: skip
        parsed = response.parsed
        if status == 204:
            assert parsed is None and response.content == b""
        elif operation == "customers_export_list":
            assert isinstance(parsed, str) and parsed.startswith("\ufeff")
        elif operation in ("imports_rejects_retrieve", "customers_export_xlsx_list"):
            assert response.content.startswith(b"PK")  # an .xlsx workbook
        else:
            rows = parsed if isinstance(parsed, list) else [parsed]
            assert isinstance(parsed, list) or parsed is not None, operation
            for row in rows:
                # a generated model, not a raw dict; and nothing the schema did not name
                assert type(row).__module__.startswith(f"{PACKAGE}.models"), (operation, row)
                assert not getattr(row, "additional_properties", {}), (
                    operation, row.additional_properties)  # fmt: skip
            assert not isinstance(parsed, self.models.Error), (operation, parsed)
        self.called.add(operation)
        return parsed


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_a_generated_client_goes_through_every_operation(generated, live_server, world):
    package, operations = generated
    go = Journey(package, operations, live_server.url)
    p1 = world.p1
    c1, c2 = world.consultants["p1"]
    manager = world.grant(make_user("jmgr", "经理"), Role.MANAGER)
    as_c1, as_c2, as_mgr = go.client(c1), go.client(c2), go.client(manager)
    as_mgr2 = go.client(world.grant(make_user("jmgr2", "经理二"), Role.MANAGER))
    now = timezone.now()

    # who am I, where, with whom
    go("me_retrieve", as_c1)
    go("projects_list", as_c1)
    go("staff_list", as_c1)
    made = go("tokens_create", as_c1, status=201, body=go.body("TokenCreateRequest",
                                                                {"name": "手机"}))  # fmt: skip
    go("tokens_list", as_c1)
    go("tokens_destroy", as_c1, status=204, token_key=made.token_key)

    # the media catalogue
    media = go("media_list", as_c1)
    medium_id = next(m.id for m in media if m.project == p1.pk)
    new_medium = go("media_create", as_mgr, status=201, body=go.body(
        "MediumInRequest", {"project": p1.pk, "name": "小红书", "kind": "online"}))  # fmt: skip
    go("media_partial_update", as_mgr, id=new_medium.id,
       body=go.body("MediumPatchRequest", {"is_active": False}))  # fmt: skip

    # a registration, then the customer it made
    def register(client, phone=None, name="赵先生"):
        return go("registrations_create", client, status=201, body=go.body(
            "RegistrationInRequest",
            {"project": p1.pk, "kind": "call", "name": name, "gender": "m",
             "phone": phone or next_phone(), "medium": medium_id,
             "content": "来电咨询三居室的价格和交房时间", "occurred_at": now.isoformat()},
        ))  # fmt: skip

    customer_id = register(as_c1).customer
    go("customers_list", as_c1, modified_since=now - timedelta(minutes=5))
    card = go("customers_retrieve", as_c1, id=customer_id)
    card = go("customers_partial_update", as_c1, id=customer_id, body=go.body(
        "CustomerPatchRequest", {"version": card.version, "hometown": "苏州"}))  # fmt: skip
    go("customers_reveal_phone_create", as_c1, id=customer_id,
       body=go.body("RevealInRequest", {"reason": "回电确认"}))  # fmt: skip
    kd = go("customers_key_dates_create", as_c1, status=201, id=customer_id, body=go.body(
        "KeyDateInRequest", {"kind": "anniversary", "date": "2026-05-20"}))  # fmt: skip
    go("customers_key_dates_list", as_c1, id=customer_id)
    go("customers_key_dates_destroy", as_c1, status=204, id=customer_id, key_date_pk=kd.id)

    # follow-ups, grading, history, the day
    followup = go("followups_create", as_c1, status=201, body=go.body(
        "FollowUpInRequest",
        {"customer": customer_id, "kind": "visit", "reached": True, "grade": "B",
         "signals": ["bargaining"],
         "content": "到访看了样板间，对三居室很满意，但觉得总价偏高，想等等看有没有优惠活动。" * 2},
    ))  # fmt: skip
    go("followups_list", as_c1)
    go("customers_grade_retrieve", as_c1, id=customer_id)
    go("customers_grade_create", as_c1, id=customer_id, body=go.body(
        "GradeInRequest",
        {"grade": "B", "reason": "有预算",
         "checks": {"accepts_product": True, "accepts_price": None}},
    ))  # fmt: skip
    go("customers_history_retrieve", as_c1, id=customer_id)
    go("my_day_retrieve", as_c1)
    go("my_day_reminders_retrieve", as_c1)

    # supervisor review: the queue, a comment, the consultant reads it
    queue = go("reviews_retrieve", as_mgr)
    assert isinstance(queue, go.models.ReviewQueueOut)
    review = go("reviews_create", as_mgr, status=201, body=go.body(
        "ReviewInRequest", {"followup": followup.id, "comment": "下次带上优惠方案。"}))  # fmt: skip
    until = queue.until.isoformat()
    go("reviews_mark_done_create", as_mgr,
       body=go.body("ReviewsDoneInRequest", {"until": until}))  # fmt: skip
    go("reviews_counts_retrieve", as_mgr, days=7)
    received = go("reviews_retrieve", as_c1, received=True)
    assert isinstance(received, go.models.ReceivedReviewsOut)
    go("reviews_read_create", as_c1, id=review.id)
    go("followups_suspicious_retrieve", as_mgr, days=7)

    # revisit plans: create, list, report, review
    plan = go("revisit_plans_create", as_mgr, status=201, body=go.body(
        "RevisitPlanInRequest",
        {"project": p1.pk, "title": "五一回访", "purpose": "邀约参加活动",
         "starts_on": timezone.localdate().isoformat(),
         "due_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
         "criteria": {"state": "prospect", "overdue": False}},
    ))  # fmt: skip
    go("revisit_plans_list", as_mgr)
    go("revisit_plans_retrieve", as_mgr, id=plan.id)
    go("revisit_plans_report_create", as_mgr, id=plan.id, body=go.body(
        "RevisitReportInRequest", {"report": "已全部电话联系，三位客户确认到场。"}))  # fmt: skip
    go("revisit_plans_review_create", as_mgr2, id=plan.id,
       body=go.body("RevisitReviewInRequest", {"comment": "好"}))  # fmt: skip

    # losses: one rejected, one approved
    lost_id = register(as_c1, name="钱女士").customer
    for cid in (customer_id, lost_id):
        go("loss_applications_create", as_c1, status=201, body=go.body(
            "LossApplyInRequest",
            {"customer": cid, "reason": "bought_elsewhere", "competitor": "万科"},
        ))  # fmt: skip
    applications = go("loss_applications_list", as_mgr).results
    by_customer = {a.customer: a.id for a in applications}
    go("loss_applications_reject_create", as_mgr, id=by_customer[customer_id],
       body=go.body("LossRejectInRequest", {"comment": "再跟一次"}))  # fmt: skip
    go("loss_applications_approve_create", as_mgr, id=by_customer[lost_id],
       body=go.body("LossDecisionInRequest", {"comment": ""}))  # fmt: skip

    # ownership: a conflict decided, a reassignment, an export
    phone = next_phone()
    taken = register(as_c1, phone=phone, name="孙先生").customer
    register(as_c2, phone=phone, name="孙先生")
    conflicts = go("conflicts_list", as_mgr).results
    go("conflicts_decide_create", as_mgr, id=conflicts[0].id,
       body=go.body("ConflictDecideInRequest",
                    {"decision": "kept", "note": "客户要求原顾问"}))  # fmt: skip
    assert OwnershipConflict.objects.filter(status="open").count() == 0
    version = go("customers_retrieve", as_mgr, id=taken).version
    go("customers_reassign_create", as_mgr, id=taken, body=go.body(
        "CustomerReassignRequest",
        {"owner": c2.pk, "reason": "调岗", "version": version},
    ))  # fmt: skip
    go("customers_export_list", as_mgr, owner=c2.pk)
    go("customers_export_xlsx_list", as_mgr, owner=c2.pk)

    # the shared pool: a claim and a hand-out
    pooled = [register(as_c1, name=f"李{i}").customer for i in range(2)]
    Customer.objects.filter(pk__in=pooled).update(owner=None, owned_since=None,
                                                  pool_entered_at=timezone.now())  # fmt: skip
    go("pool_list", as_c2)
    go("pool_claim_create", as_c2, id=pooled[0])
    go("pool_hand_out_create", as_mgr, body=go.body(
        "HandOutInRequest", {"customers": [pooled[1]], "owner": c2.pk}))  # fmt: skip

    _deals_journey(go, world, as_c1, as_mgr, as_mgr2, register)
    _assignment_journey(go, world, as_c1, as_c2, as_mgr, register)
    _care_journey(go, world, as_c1, as_mgr, register)
    assert set(operations) - go.called == set(), "add these operations to the journey"


def _care_journey(go, world, as_c1, as_mgr, register):
    """Consent, the templates one may send, an SMS in one's own name, the customer's messages."""
    from anchang.care.models import MessageTemplate

    template = MessageTemplate.objects.create(
        project=world.p1, name="签约提醒", purpose="service", created_at=timezone.now(),
        body="{name}您好，请于{date}到售楼处签约。顾问{consultant}",
    )  # fmt: skip
    customer_id = register(as_c1, name="周女士").customer
    consent = {"purpose": "promotion", "granted": True, "source": "form"}
    go("customers_consent_update", as_c1, id=customer_id,
       body=go.body("ConsentInRequest", consent))  # fmt: skip
    go("customers_consent_list", as_mgr, id=customer_id)
    assert [t.id for t in go("message_templates_list", as_c1, project=world.p1.pk)] == [template.pk]
    go("customers_messages_create", as_c1, status=201, id=customer_id, body=go.body(
        "MessageInRequest",
        {"template": template.pk, "params": {"date": "周六"}, "idempotency_key": "j1"},
    ))  # fmt: skip
    go("customers_messages_list", as_c1, id=customer_id)
    # a batch (群发) by the care specialist, previewed, saved, read
    specialist = world.grant(make_user("jcare", "客服"), Role.CARE)
    as_care = go.client(specialist)
    batch = {"project": world.p1.pk, "template": template.pk, "title": "签约提醒",
             "params": {"date": "周六"}, "audience": {"state": "prospect"}}  # fmt: skip
    go("batches_preview_create", as_care, body=go.body("MessageBatchInRequest", batch))
    made = go("batches_create", as_care, status=201, body=go.body("MessageBatchInRequest", batch))
    go("batches_list", as_care)
    go("batches_retrieve", as_mgr, id=made.id)
    pending = go("batches_create", as_care, status=201, body=go.body(
        "MessageBatchInRequest", {**batch, "title": "再发一次"}))  # fmt: skip
    from anchang.care.models import Batch

    Batch.objects.filter(pk=pending.id).update(status="pending")  # as above the threshold
    decision = {"approve": False, "comment": "本周已发"}
    go("batches_decide_create", as_mgr, id=pending.id,
       body=go.body("MessageBatchDecideInRequest", decision))  # fmt: skip


def _deals_journey(go, world, as_c1, as_mgr, as_mgr2, register):
    """成交: the board, a hold, a subscription, approvals, the plan and receipts, the stages,
    a cancellation and its refund, dispatch in the store, contract forms, a unit sheet."""
    p1 = world.p1
    clerk_user = world.grant(make_user("jclerk", "行政"), Role.CLERK)
    as_clerk = go.client(clerk_user)
    mgr = User.objects.get(username="jmgr")
    building = services.building_create(actor=mgr, project=p1, name="1", floors=3,
                                        units_per_floor=2, price_per_m2="20000",
                                        gross_area="100")  # fmt: skip
    go("board_retrieve", as_c1, project=p1.pk, building=building.pk)
    units = go("units_list", as_c1, project=p1.pk).results
    first, second = units[0].id, units[1].id
    go("units_retrieve", as_c1, id=first)
    customer_id = register(as_c1, name="周先生").customer
    go("units_hold_create", as_c1, id=first,
       body=go.body("HoldInRequest", {"customer": customer_id}))  # fmt: skip
    go("units_release_create", as_c1, id=first)
    deal = go("deals_create", as_c1, status=201, body=go.body("SubscribeInRequest", {
        "customer": customer_id, "unit": first, "deal_price": "1900000",
        "payment_method": "full", "deposit": "50000", "idempotency_key": "journey-1",
    }))  # fmt: skip
    go("deals_list", as_c1)
    go("deals_retrieve", as_c1, id=deal.id)
    approvals = go("approvals_list", as_mgr)
    go("approvals_decide_create", as_mgr, id=approvals[0].id,
       body=go.body("DecideInRequest", {"decision": "approve"}))  # fmt: skip
    go("deals_plan_update", as_clerk, id=deal.id, body=go.body("PlanInRequest", {"lines": [
        {"kind": "deposit", "due_on": timezone.localdate().isoformat(), "amount": "50000"},
        {"kind": "balance", "due_on": timezone.localdate().isoformat(), "amount": "1850000"},
    ]}))  # fmt: skip
    go("deals_receipts_create", as_clerk, status=201, id=deal.id, body=go.body(
        "ReceiptInRequest", {"amount": "50000", "method": "pos", "voucher": "J-1"}))  # fmt: skip
    go("deals_receipts_list", as_c1, id=deal.id)
    go("collections_list", as_mgr)
    go("deals_stale_list", as_mgr)
    go("deals_move_create", as_c1, id=deal.id,
       body=go.body("MoveInRequest", {"to": "signing"}))  # fmt: skip
    cancel = go.body("RequestInRequest", {"kind": "cancel", "reason": "客户退房"})
    request = go("deals_requests_create", as_c1, status=201, id=deal.id, body=cancel)
    go("approvals_decide_create", as_mgr, id=request.id,
       body=go.body("DecideInRequest", {"decision": "approve"}))  # fmt: skip
    go("deals_refunds_create", as_clerk, status=201, id=deal.id,
       body=go.body("RefundInRequest", {"amount": "50000", "reason": "退定金"}))  # fmt: skip
    # the store: an order dispatched to a designer, who gives it back
    store = world.p2
    designer = make_user("jdesigner", "设计师")
    membership_grant(user=designer, role=Role.DESIGNER, company=world.company, project=store)
    store_mgr = world.consultants["p2"][0]
    membership_grant(user=store_mgr, role=Role.MANAGER, company=world.company, project=store)
    services.designer_profile_set(actor=store_mgr, project=store, user=designer)
    as_store_c = go.client(world.consultants["p2"][1])
    as_store_mgr, as_designer = go.client(store_mgr), go.client(designer)
    buyer = world.customer(store, world.consultants["p2"][1], "装修客户")
    order = go("deals_create", as_store_c, status=201, body=go.body("SubscribeInRequest", {
        "customer": buyer.pk, "deal_price": "100000", "payment_method": "full",
        "deposit": "2000",
    }))  # fmt: skip
    waiting = go("dispatches_list", as_store_mgr)
    go("dispatches_decide_create", as_store_mgr, id=waiting[0].id,
       body=go.body("DispatchDecideInRequest", {}))  # fmt: skip
    go("deals_refuse_order_create", as_designer, status=201, id=order.id,
       body=go.body("RefuseOrderInRequest", {"note": "档期已满"}))  # fmt: skip
    # contract forms, and a unit sheet
    receive = {"project": p1.pk, "prefix": "J", "first": 1, "count": 2}
    go("contract_forms_create", as_clerk, status=201,
       body=go.body("FormsReceiveInRequest", receive))  # fmt: skip
    go("contract_forms_move_create", as_clerk, body=go.body("FormsMoveInRequest", {
        "project": p1.pk, "kind": "issued", "numbers": ["J000001"], "holder": clerk_user.pk,
    }))  # fmt: skip
    go("contract_forms_list", as_clerk, project=p1.pk)
    book = Workbook()
    book.active.append(["房号", "户型"])
    book.active.append([Unit.objects.get(pk=second).code, "4室2厅"])
    sheet = BytesIO()
    book.save(sheet)
    upload = importlib.import_module(f"{PACKAGE}.types").File(
        payload=BytesIO(sheet.getvalue()), file_name="units.xlsx"
    )
    go("units_sheet_create", as_mgr, body=go.models.UnitSheetInRequest(project=p1.pk, sheet=upload))
    assert Unit.objects.get(pk=second).layout == "4室2厅"


def _assignment_journey(go, world, as_c1, as_c2, as_mgr, register):
    """接待与分配: the rotation, the assignment queue and a handover's preview, a conflict's
    evidence, a channel's report and its commission."""
    p1 = world.p1
    c1, c2 = world.consultants["p1"]
    manager = User.objects.get(username="jmgr")
    as_clerk = go.client(User.objects.get(username="jclerk"))
    # reception (排轮): sign in, a walk-in, a state, a skip, the ledger and fairness
    go("reception_sign_in_create", as_c1, status=201,
       body=go.body("SignInInRequest", {"project": p1.pk}))  # fmt: skip
    duty = go("reception_sign_in_create", as_clerk, status=201,
              body=go.body("SignInInRequest", {"project": p1.pk, "consultant": c2.pk}))  # fmt: skip
    go("reception_retrieve", as_clerk, project=p1.pk)
    go("reception_walk_ins_create", as_clerk, status=201,
       body=go.body("WalkInInRequest", {"project": p1.pk, "visitor": "王先生"}))  # fmt: skip
    go("reception_duty_create", as_clerk, id=duty.id,
       body=go.body("DutySetInRequest", {"status": "away"}))  # fmt: skip
    go("reception_skips_create", as_clerk, status=201,
       body=go.body("SkipInRequest", {"project": p1.pk, "consultant": c2.pk}))  # fmt: skip
    go("reception_ledger_list", as_clerk, project=p1.pk)
    go("reception_fairness_list", as_clerk, project=p1.pk)

    # assignment (分配): the queue, lapsed customers, an assignment, a handover's preview
    lead = Customer.objects.create(project=p1, name="线上线索", phone=next_phone(),
                                   created_by=c1)  # fmt: skip
    go("assignment_queue_list", as_mgr, project=p1.pk)
    go("assignment_lapsed_list", as_mgr, project=p1.pk)
    go("assignment_assign_create", as_mgr, body=go.body("AssignInRequest", {
        "project": p1.pk, "customers": [lead.pk], "to": [c2.pk], "reason": "线上线索",
    }))  # fmt: skip
    go("assignment_handover_create", as_mgr, body=go.body("HandoverInRequest", {
        "project": p1.pk, "leaver": c2.pk, "to": [c1.pk], "reason": "离职", "preview": True,
    }))  # fmt: skip
    phone = next_phone()
    register(as_c1, phone=phone, name="周先生")
    register(as_c2, phone=phone, name="周先生")
    open_conflict = OwnershipConflict.objects.get(status="open")
    go("conflicts_evidence_retrieve", as_mgr, id=open_conflict.pk)

    # channel reports (渠道报备)
    from anchang.assignment.channels import services as channels

    company = channels.company_create(actor=manager, project=p1, name="链家")
    agent = make_user("jagent", "经纪人")
    membership_grant(user=agent, role=Role.CHANNEL, company=world.company, project=p1)
    channels.agent_add(actor=manager, company=company, user=agent)
    as_agent = go.client(agent)
    reported = go("channel_reports_create", as_agent, status=201, body=go.body(
        "ReportInRequest", {"name": "渠道客户", "phone": next_phone()}))  # fmt: skip
    go("channel_reports_list", as_agent)
    go("channel_project_reports_list", as_mgr, project=p1.pk)
    from anchang.assignment.models import ChannelReport

    ChannelReport.objects.filter(pk=reported.id).update(status="dealt", commission="pending")
    go("channel_reports_paid_create", as_mgr, id=reported.id)
    disputed = go("channel_reports_create", as_agent, status=201, body=go.body(
        "ReportInRequest", {"name": "自然到访", "phone": next_phone()}))  # fmt: skip
    ChannelReport.objects.filter(pk=disputed.id).update(status="disputed",
                                                        visited_at=timezone.now())  # fmt: skip
    own = {"credit": False, "note": "客户自己来的"}
    go("channel_reports_decide_create", as_mgr, id=disputed.id,
       body=go.body("ChannelDecideInRequest", own))  # fmt: skip

    # imports (导入): upload, the preview's rows, the mapping, commit, rejects, revert
    medium = p1.media.first().name
    rows = [["来访日期", "客户姓名", "性别", "联系电话", "认知途径"],
            ["2026-03-05", "导入甲", "男", next_phone(), medium],
            ["2026-03-05", "导入乙", "男", "12345", medium]]  # fmt: skip
    book = Workbook()
    for row in rows:
        book.active.append(row)
    data = BytesIO()
    book.save(data)
    upload = importlib.import_module(f"{PACKAGE}.types").File(
        payload=BytesIO(data.getvalue()), file_name="来访登记表.xlsx"
    )
    batch = go("imports_create", as_clerk, status=201, body=go.models.UploadInRequest(
        project=p1.pk, kind=go.models.ImportKindEnum("visits"), file=upload))  # fmt: skip
    go("imports_list", as_clerk, project=p1.pk)
    go("imports_rows_list", as_clerk, id=batch.id)
    go("imports_update", as_clerk, id=batch.id, body=go.body("MappingInRequest", {
        "mapping": {**batch.mapping.to_dict()}, "default_medium": None}))  # fmt: skip
    go("imports_commit_create", as_clerk, status=202, id=batch.id)
    assert go("imports_retrieve", as_clerk, id=batch.id).status == "done"
    go("imports_rejects_retrieve", as_clerk, id=batch.id)
    go("imports_revert_create", as_clerk, id=batch.id)
