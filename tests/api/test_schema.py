"""The OpenAPI schema says what the server does (issue 13, items 18 and 28): one limit per
field in form, serializer, model and schema; one schema whatever the language; the error
codes, bodies and parameters an integrator's generated client relies on."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import timedelta

import pytest
import yaml
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers
from rest_framework.fields import empty

import anchang
from anchang.api.error_codes import server_error_codes
from anchang.api.serializers import TextField
from anchang.assignment.models import ChannelCompany, ChannelReport, TurnEntry
from anchang.care.models import Batch, Consent
from anchang.care.selectors import AUDIENCE_FILTERS
from anchang.care.services import batches as care_batches
from anchang.care.services import messages as care_messages
from anchang.customers.choices import MANUAL_STATES
from anchang.customers.filters import SEARCH_MAX
from anchang.customers.models import Customer, KeyDate, Medium, OwnershipConflict, Registration
from anchang.customers.services.key_dates import key_date_add
from anchang.customers.services.phone_reveal import REASON_MAX as REVEAL_REASON_MAX
from anchang.deals import rules as deal_rules
from anchang.deals.models import (
    Approval,
    Building,
    ContractFormMove,
    Deal,
    Dispatch,
    Receipt,
    StageChange,
    Unit,
)
from anchang.followups.loss import services as loss
from anchang.followups.models import FollowUp, GradeChange, LossApplication, Review, RevisitPlan
from anchang.followups.revisits import services as revisits
from anchang.org.models import ApiToken, User
from anchang.pagination import CURSOR_MAX

for _module in pkgutil.walk_packages(anchang.__path__, "anchang."):
    if "migrations" not in _module.name and _module.name.rsplit(".", 1)[-1] in (
        "forms", "serializers", "api",
    ):  # fmt: skip
        importlib.import_module(_module.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _ours(base) -> list[type]:
    return sorted(
        {c for c in _subclasses(base) if c.__module__.startswith("anchang.")},
        key=lambda c: (c.__module__, c.__name__),
    )


# Where each input's limits come from: the models whose columns it fills (a field is looked
# up in them in order), or the service's constant for text no column holds.
MONEY = {
    name: deal_rules.AMOUNT_CHARS
    for name in ("deal_price", "standard_price", "loan_amount", "deposit", "amount", "new_price",
                 "new_floor_price", "gross_area", "price_per_m2", "floor_price")
}  # fmt: skip
SOURCES: dict[str, list] = {
    "RegistrationForm": [Customer, Registration],
    "RegistrationInSerializer": [Customer, Registration],
    "CustomerProfileForm": [Customer],
    "CustomerEditForm": [Customer],
    "CustomerPatchSerializer": [Customer],
    "CustomerReassignForm": [{"reason": 200}],  # customers.services.profile.customer_reassign
    "CustomerReassignSerializer": [{"reason": 200}],
    "RevealForm": [{"reason": REVEAL_REASON_MAX}],
    "RevealInSerializer": [{"reason": REVEAL_REASON_MAX}],
    "ConflictResolveForm": [OwnershipConflict],
    "KeyDateForm": [KeyDate],
    "MediumForm": [Medium],
    "FollowUpForm": [FollowUp],
    "FollowUpInSerializer": [FollowUp],
    "GradeForm": [GradeChange, Customer],
    "GradeInSerializer": [GradeChange, Customer],
    "LossApplyForm": [LossApplication],
    "LossApplyInSerializer": [LossApplication],
    "LossDecisionForm": [{"comment": loss.COMMENT_MAX}],
    "LossDecisionInSerializer": [{"comment": loss.COMMENT_MAX}],
    "LossRejectInSerializer": [{"comment": loss.COMMENT_MAX}],
    "RevisitPlanForm": [RevisitPlan],
    "RevisitPlanInSerializer": [RevisitPlan],
    "PlanReportForm": [{"report": revisits.REPORT_MAX}],
    "RevisitReportInSerializer": [{"report": revisits.REPORT_MAX}],
    "PlanReviewForm": [{"comment": revisits.COMMENT_MAX}],
    "RevisitReviewInSerializer": [{"comment": revisits.COMMENT_MAX}],
    "ReviewInSerializer": [Review],
    "TokenCreateForm": [ApiToken],
    "TokenCreateSerializer": [ApiToken],
    "LoginForm": [User],
    "RevisitCriteriaSerializer": [{"q": SEARCH_MAX}],  # the customer list's search
    "ReviewListQuerySerializer": [{"cursor": CURSOR_MAX}],  # anchang.pagination
    "ConflictDecideInSerializer": [OwnershipConflict],
    "KeyDateInSerializer": [KeyDate],
    "MediumInSerializer": [Medium],
    "MediumPatchSerializer": [Medium],
    # deals: amounts are typed text (anchang.deals.rules.AMOUNT_CHARS); a reason, note or
    # comment is NOTE_MAX where no column holds it whole
    "SubscribeForm": [MONEY, Deal, {"note": deal_rules.NOTE_MAX}],
    "SubscribeInSerializer": [MONEY, Deal, {"note": deal_rules.NOTE_MAX}],
    "MoveForm": [StageChange, {"to": 20}],  # StageChange.stage
    "MoveInSerializer": [StageChange],
    "RequestForm": [{"reason": deal_rules.NOTE_MAX, "unit": 40, "buyer_name": 50}, MONEY],
    "RequestInSerializer": [{"reason": deal_rules.NOTE_MAX, "buyer_name": 50}, MONEY],
    "ReceiptForm": [MONEY, Receipt],
    "ReceiptInSerializer": [MONEY, Receipt],
    "PlanLineForm": [MONEY],
    "PlanLineInSerializer": [MONEY],
    "RefundForm": [MONEY, {"reason": deal_rules.NOTE_MAX}],
    "RefundInSerializer": [MONEY, {"reason": deal_rules.NOTE_MAX}],
    "DecideForm": [Approval],
    "DecideInSerializer": [Approval],
    "BuildingForm": [MONEY, Building, {"skip_floors": deal_rules.SKIP_FLOORS_CHARS, "layout": 20}],
    "UnitForm": [MONEY, Unit],
    "PriceChangeForm": [MONEY, {"reason": deal_rules.NOTE_MAX}],
    "ReserveForm": [{"reason": 200}],  # Unit.reserve_reason
    "DispatchForm": [Dispatch],
    "DispatchDecideInSerializer": [Dispatch],
    "RefuseOrderForm": [Dispatch],
    "RefuseOrderInSerializer": [Dispatch],
    "FormsReceiveForm": [{"prefix": 20}],
    "FormsReceiveInSerializer": [{"prefix": 20}],
    "FormsMoveForm": [ContractFormMove, {"numbers": 4000}],
    "FormsMoveInSerializer": [ContractFormMove],
    # owner care
    "ConsentForm": [Consent],
    "ConsentInSerializer": [Consent],
    "MessageInSerializer": [{"idempotency_key": care_messages.KEY_MAX}],
    "AudienceSerializer": [AUDIENCE_FILTERS],
    "BatchForm": [Batch],
    "MessageBatchInSerializer": [Batch],
    "BatchDecideForm": [{"comment": care_batches.COMMENT_MAX}],
    "MessageBatchDecideInSerializer": [{"comment": care_batches.COMMENT_MAX}],
    # reception
    "WalkInForm": [TurnEntry],
    "WalkInInSerializer": [TurnEntry],
    "TurnEntrySerializer": [TurnEntry],
    "CompanyForm": [ChannelCompany],
    "ReportForm": [ChannelReport],
    "ReportInSerializer": [ChannelReport],
    "ChannelDecideForm": [{"note": 200}],  # assignment.channels.services.report_decide
    "ChannelDecideInSerializer": [{"note": 200}],
    # assignment: the reasons go to customer_reassign (customers.services.profile, 200)
    **{
        name: [{"reason": 200, "over_cap": 200}]
        for name in (
            "SpreadForm",
            "AssignForm",
            "HandoverForm",
            "SpreadInSerializer",
            "AssignInSerializer",
            "HandoverInSerializer",
        )
    },
}
# Typed as people write them ("138 0013 8000"), stored as E.164: the input is longer.
PHONES = {"phone", "phone2"}


def _limit(field) -> int | None:
    return field.limit if isinstance(field, TextField) else getattr(field, "max_length", None)


def _text_fields(cls) -> dict:
    fields = cls.base_fields if issubclass(cls, forms.BaseForm) else cls().fields
    return {
        name: f
        for name, f in fields.items()
        if isinstance(f, forms.CharField | serializers.CharField)
        and not getattr(f, "read_only", False)
        and _limit(f)
        and name not in PHONES
    }


def _source_limit(cls, name: str) -> int | None:
    for source in SOURCES[cls.__name__]:
        if isinstance(source, dict):
            if name in source:
                return source[name]
            continue
        try:
            return source._meta.get_field(name).max_length
        except Exception:  # noqa: S112 - not a column of this model; try the next
            continue
    return None


INPUTS = [c for c in _ours(forms.BaseForm) + _ours(serializers.Serializer) if _text_fields(c)]
MAPPED = [c for c in _ours(forms.BaseForm) + _ours(serializers.Serializer)
          if c.__name__ in SOURCES]  # fmt: skip


def _column(cls, name: str):
    for source in SOURCES[cls.__name__]:
        if isinstance(source, dict):
            continue
        try:
            return source._meta.get_field(name)
        except Exception:  # noqa: S112 - not a column of this model; try the next
            continue
    return None


# Inputs that offer fewer choices than their column on purpose: a PATCH sets only the
# states set by hand (lost, subscribed and owner belong to their workflows).
NARROWED_CHOICES = {
    ("CustomerPatchSerializer", "state"): {str(s) for s in MANUAL_STATES},
    # flats come from a building's pattern, not one by one
    ("UnitForm", "kind"): {"vehicle", "package"},
    # forms come into stock by the receive action, with their numbers
    ("FormsMoveForm", "kind"): {"issued", "signed", "void", "to_finance"},
    ("FormsMoveInSerializer", "kind"): {"issued", "signed", "void", "to_finance"},
    # an SMS reply and an import record consent themselves (care.services.consent)
    ("ConsentForm", "source"): {"form", "verbal", "online"},
    ("ConsentInSerializer", "source"): {"form", "verbal", "online"},
}


@pytest.mark.parametrize("cls", MAPPED, ids=lambda c: c.__name__)
def test_choices_and_required_agree_with_the_column(cls):
    """A choice field offers its column's choices; a required input fills a column that
    may not be blank (else the page and the API disagree about what must be given)."""
    fields = cls.base_fields if issubclass(cls, forms.BaseForm) else cls().fields
    wrong = {}
    for name, field in fields.items():
        column = _column(cls, name)
        if column is None or getattr(field, "read_only", False):
            continue
        if column.choices and isinstance(field, forms.ChoiceField | serializers.ChoiceField):
            offered = {str(k) for k, _label in (field.choices.items() if isinstance(
                field.choices, dict) else field.choices) if k not in ("", None)}  # fmt: skip
            expected = {str(k) for k, _label in column.choices if k not in ("", None)}
            expected &= NARROWED_CHOICES.get((cls.__name__, name), expected)
            if offered != expected:
                wrong[f"{name}.choices"] = (sorted(offered), sorted(expected))
    assert not wrong, wrong


# The page's form and the API's serializer for the same action.
DOORS = [
    ("RegistrationForm", "RegistrationInSerializer"), ("FollowUpForm", "FollowUpInSerializer"),
    ("GradeForm", "GradeInSerializer"), ("LossApplyForm", "LossApplyInSerializer"),
    ("LossDecisionForm", "LossDecisionInSerializer"), ("KeyDateForm", "KeyDateInSerializer"),
    ("MediumForm", "MediumInSerializer"), ("TokenCreateForm", "TokenCreateSerializer"),
    ("RevealForm", "RevealInSerializer"), ("CustomerReassignForm", "CustomerReassignSerializer"),
    ("ConflictResolveForm", "ConflictDecideInSerializer"),
    ("RevisitPlanForm", "RevisitPlanInSerializer"), ("PlanReportForm", "RevisitReportInSerializer"),
    ("PlanReviewForm", "RevisitReviewInSerializer"),
    ("SubscribeForm", "SubscribeInSerializer"), ("MoveForm", "MoveInSerializer"),
    ("RequestForm", "RequestInSerializer"), ("ReceiptForm", "ReceiptInSerializer"),
    ("PlanLineForm", "PlanLineInSerializer"), ("RefundForm", "RefundInSerializer"),
    ("DecideForm", "DecideInSerializer"), ("DispatchForm", "DispatchDecideInSerializer"),
    ("RefuseOrderForm", "RefuseOrderInSerializer"), ("ConsentForm", "ConsentInSerializer"),
]  # fmt: skip
BY_NAME = {c.__name__: c for c in MAPPED}


@pytest.mark.parametrize(("form_name", "serializer_name"), DOORS)
def test_the_form_and_the_serializer_of_one_action_agree(form_name, serializer_name):
    """Both doors ask for the same fields as required, with the same limits and choices."""
    form_fields = BY_NAME[form_name].base_fields
    api_fields = {n: f for n, f in BY_NAME[serializer_name]().fields.items() if not f.read_only}
    wrong = {}
    for name in set(form_fields) & set(api_fields) - PHONES:
        form_field, api_field = form_fields[name], api_fields[name]
        if isinstance(form_field, forms.BooleanField) or isinstance(
            form_field.widget, forms.HiddenInput
        ):
            continue  # a checkbox is never "required"; hidden fields are the page's own
        defaulted = form_field.initial is not None or api_field.default is not empty
        if form_field.required != api_field.required and not defaulted:
            wrong[f"{name}.required"] = (form_field.required, api_field.required)
        api_limit = _limit(api_field) if isinstance(api_field, serializers.CharField) else None
        form_limit = getattr(form_field, "max_length", None)
        if api_limit is not None and form_limit is not None and form_limit != api_limit:
            wrong[f"{name}.max_length"] = (form_limit, api_limit)
    assert not wrong, wrong


@pytest.mark.parametrize("cls", INPUTS, ids=lambda c: c.__name__)
def test_every_text_input_has_the_one_limit_of_its_column(cls):
    """Every form and serializer text field: its maximum is its column's (or the service's
    constant), never a second number typed again."""
    assert cls.__name__ in SOURCES, f"say in SOURCES where {cls.__name__}'s limits come from"
    wrong = {}
    for name, field in _text_fields(cls).items():
        expected = _source_limit(cls, name)
        if expected is None:
            wrong[name] = "no column or constant"
        elif _limit(field) != expected:
            wrong[name] = f"{_limit(field)} != {expected}"
    assert not wrong, wrong


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema, prop: dict) -> dict:
    """A property with its $ref, allOf and oneOf (an enum or blank) read through."""
    if "$ref" in prop:
        return schema["components"]["schemas"][prop["$ref"].rsplit("/", 1)[-1]]
    parts = [_resolve(schema, p) for p in (*prop.get("allOf", ()), *prop.get("oneOf", ()))]
    if not parts:
        return prop
    merged = {k: v for k, v in prop.items() if k not in ("allOf", "oneOf")}
    for part in parts:
        for key, value in part.items():
            if key == "enum":
                merged["enum"] = [*merged.get("enum", []), *value]
            else:
                merged.setdefault(key, value)
    return merged


def _request_serializers(schema) -> list[type]:
    names = set(schema["components"]["schemas"])
    return [
        c
        for c in _ours(serializers.Serializer)
        if c.__name__.removesuffix("Serializer") + "Request" in names
    ]


def test_every_request_body_in_the_schema_says_the_serializers_limits(schema):
    """max/min length, required and choices of every request field equal the serializer's
    (whose limits the test above ties to the model)."""
    checked, wrong = 0, {}
    for cls in _request_serializers(schema):
        component = schema["components"]["schemas"][
            cls.__name__.removesuffix("Serializer") + "Request"
        ]
        props = component.get("properties", {})
        fields = {n: f for n, f in cls().fields.items() if not f.read_only}
        required = {n for n, f in fields.items() if f.required}
        if set(component.get("required", [])) != required:
            wrong[f"{cls.__name__}.required"] = (sorted(component.get("required", [])),
                                                 sorted(required))  # fmt: skip
        for name, field in fields.items():
            prop = _resolve(schema, props[name])
            key = f"{cls.__name__}.{name}"
            limit = _limit(field) if isinstance(field, serializers.CharField) else None
            if limit is not None and prop.get("maxLength") != limit:
                wrong[key + ".maxLength"] = (prop.get("maxLength"), limit)
            minimum = field.minimum if isinstance(field, TextField) else None
            if minimum is None and isinstance(field, serializers.CharField):
                minimum = field.min_length
            if minimum is not None and prop.get("minLength") != minimum:
                wrong[key + ".minLength"] = (prop.get("minLength"), minimum)
            if isinstance(field, serializers.ChoiceField):
                enum = {v for v in prop.get("enum", ()) if v not in ("", None)}
                if enum != {k for k in field.choices if k != ""}:
                    wrong[key + ".enum"] = (sorted(enum), sorted(field.choices))
            checked += 1
    assert checked > 50
    assert not wrong, wrong


def test_the_server_limits_named_in_the_issue(schema):
    s = schema["components"]["schemas"]
    assert s["RegistrationInRequest"]["properties"]["name"]["maxLength"] == 50
    assert s["TokenCreateRequest"]["properties"]["name"]["maxLength"] == 64
    assert s["RevealInRequest"]["properties"]["reason"]["maxLength"] == 200
    assert s["ReviewInRequest"]["properties"]["comment"]["maxLength"] == 500
    assert s["RevisitReportInRequest"]["properties"]["report"]["minLength"] == 10
    by_kind = s["FollowUpInRequest"]["properties"]["content"]["x-min-length-by-kind"]
    assert by_kind["visit"] == 50 and by_kind["phone"] == 30


def test_patch_requires_the_version_and_reject_requires_a_comment(schema):
    patch = schema["paths"]["/api/v1/customers/{id}/"]["patch"]["requestBody"]
    ref = patch["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "version" in schema["components"]["schemas"][ref]["required"]
    reject = schema["paths"]["/api/v1/loss-applications/{id}/reject/"]["post"]["requestBody"]
    ref = reject["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    component = schema["components"]["schemas"][ref]
    assert "comment" in component["required"]
    assert component["properties"]["comment"]["minLength"] == 1


def test_id_filters_are_integers_and_export_is_csv_with_the_lists_filters(schema):
    listing = schema["paths"]["/api/v1/customers/"]["get"]["parameters"]
    export = schema["paths"]["/api/v1/customers/export/"]["get"]
    for params in (listing, export["parameters"]):
        types = {p["name"]: p["schema"].get("type") for p in params}
        assert types["owner"] == "integer" and types["medium"] == "integer"
    assert {p["name"] for p in listing} - {"cursor", "page_size"} <= {
        p["name"] for p in export["parameters"]
    }
    assert "modified_since" in {p["name"] for p in listing}
    assert list(export["responses"]["200"]["content"]) == ["text/csv"]


def _free_objects(schema):
    """Properties typed only as 'an object' or 'anything': a generated client cannot type
    them. A map with typed values (additionalProperties: {type}) is fine."""
    for name, component in schema["components"]["schemas"].items():
        for prop_name, prop in (component.get("properties") or {}).items():
            items = prop.get("items", {})
            for p in (prop, items):
                if "$ref" in p or "allOf" in p or "oneOf" in p:
                    continue
                extra = p.get("additionalProperties")
                free_map = extra in (None, True, {}) and not p.get("properties")
                if p.get("type") == "object" and free_map:
                    yield f"{name}.{prop_name}"
                if not p.get("type") and not p.get("enum") and p is prop and not items:
                    yield f"{name}.{prop_name} (no type)"


def test_no_property_is_a_free_object(schema):
    """signals, criteria, grading checks and every other body field are typed."""
    assert list(_free_objects(schema)) == []


def test_error_code_is_the_enum_of_every_code_the_server_sends(schema):
    enum = schema["components"]["schemas"]["Error"]["properties"]["code"]["enum"]
    assert enum == list(server_error_codes())
    # one of each source: DomainError defaults and raises, app Code classes, the handler
    for code in ("conflict", "stale_version", "hold_cap", "comment_too_long", "reveal_limit",
                 "invalid_criteria", "malformed_request", "too_large", "csrf_failed"):  # fmt: skip
        assert code in enum, code


def test_review_list_is_one_of_two_shapes_told_apart_by_kind(schema):
    review_list = schema["components"]["schemas"]["ReviewList"]
    assert review_list["discriminator"]["propertyName"] == "kind"
    assert set(review_list["discriminator"]["mapping"]) == {"queue", "received"}
    for ref in review_list["oneOf"]:
        component = _resolve(schema, ref)
        assert "kind" in component["required"]


@pytest.mark.slow
def test_the_schema_is_the_same_bytes_in_every_language(client, db):
    answers = {
        lang: client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE=lang).content
        for lang in ("zh-Hans", "en", "zh-hans,zh;q=0.9")
    }
    assert answers["zh-Hans"] == answers["en"] == answers["zh-hans,zh;q=0.9"]
    loaded = yaml.safe_load(answers["en"])

    def titles(node):
        if isinstance(node, dict):
            yield from (v for k, v in node.items() if k == "title" and isinstance(v, str))
            for value in node.values():
                yield from titles(value)
        elif isinstance(node, list):
            for value in node:
                yield from titles(value)

    # no translated title names a generated class
    chinese = [t for t in titles(loaded) if any("\u4e00" <= ch <= "\u9fff" for ch in t)]
    assert chinese == []


# --- updated_at and ?modified_since ------------------------------------------------------


def test_every_update_of_a_customer_row_sets_updated_at(world):
    """Any UPDATE of the customers table, whatever the write path (save, narrow
    update_fields, queryset.update, bulk_update), sets updated_at: a sync by
    ?modified_since misses nothing."""
    from anchang.followups.services import followup_record, grade_set
    from anchang.pool.services import pool_reclaim_due

    consultant = world.consultants["p1"][0]
    result = world.register(consultant)
    customer = result.customer
    with CaptureQueriesContext(connection) as queries:
        key_date_add(actor=consultant, customer=customer, kind="anniversary",
                     when=timezone.localdate(), note="")  # fmt: skip
        customer.refresh_from_db()
        followup_record(actor=consultant, customer=customer, kind="wechat", content="加微信",
                        reached=True)  # fmt: skip
        customer.refresh_from_db()
        grade_set(actor=consultant, customer=customer, grade="B", reason="")
        customer.refresh_from_db()
        Customer.objects.filter(pk=customer.pk).update(
            owned_since=timezone.now() - timedelta(days=400), last_reached_at=None,
            state="prospect", updated_at=timezone.now(),
        )  # fmt: skip
        pool_reclaim_due(now=timezone.now() + timedelta(days=400))
    updates = [q["sql"] for q in queries.captured_queries
               if q["sql"].lstrip().upper().startswith("UPDATE")
               and '"customers_customer"' in q["sql"].split("SET")[0]]  # fmt: skip
    assert len(updates) >= 3
    missing = [sql for sql in updates if '"updated_at"' not in sql.split("WHERE")[0]]
    assert not missing, missing


def test_modified_since_lists_only_what_changed(world, api_client):
    consultant = world.consultants["p1"][0]
    old = world.register(consultant).customer
    Customer.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=3))
    new = world.register(consultant).customer
    api_client.force_authenticate(consultant)
    since = (timezone.now() - timedelta(days=1)).isoformat()
    response = api_client.get("/api/v1/customers/", {"modified_since": since})
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert new.pk in ids and old.pk not in ids
    row = response.json()["results"][0]
    assert {"grade", "next_follow_up_on", "updated_at"} <= set(row)
    for hostile in ("yesterday", "99999-01-01T00:00:00", "²⁰²⁶-01-01", "2026-13-45T99:99"):
        bad = api_client.get("/api/v1/customers/", {"modified_since": hostile})
        assert bad.status_code == 400, hostile
        assert bad.json()["code"] == "invalid"


@pytest.mark.slow
def test_no_write_path_to_customers_skips_updated_at():
    """Read from the source, so a write path added later is held to it too: a queryset
    `update()` on Customer, a bulk update of Customer rows, or a narrow `update_fields` save
    of a customer must name updated_at (auto_now applies only to a full save)."""
    import ast
    from pathlib import Path

    root = Path(anchang.__file__).parent
    missing = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        constants = {
            t.id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            for t in node.targets
            if isinstance(t, ast.Name)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            text = ast.get_source_segment(source, node) or ""
            where = f"{path.relative_to(root)}:{node.lineno}"
            if name == "update" and text.startswith("Customer.objects"):
                if "updated_at" not in {k.arg for k in node.keywords}:
                    missing.append(where)
            elif name in ("bulk_update", "bulk_update_with_history") and "Customer" in {
                getattr(a, "id", "") for a in node.args
            } | {getattr(getattr(func, "value", None), "attr", "")}:
                if "updated_at" not in text:
                    missing.append(where)
            elif name in ("save", "save_without_historical_record"):
                for keyword in node.keywords:
                    if keyword.arg != "update_fields":
                        continue
                    value = keyword.value
                    value = constants.get(getattr(value, "id", None), value)
                    fields = {n.value for n in ast.walk(value) if isinstance(n, ast.Constant)}
                    # a customer row: its optimistic-locking version moves with every write
                    if "version" in fields and "updated_at" not in fields:
                        missing.append(where)
    assert not missing, missing
