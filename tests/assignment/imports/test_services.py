"""Imports (导入): a register read, mapped and previewed row by row before anything is
written; committed through the registration's rules, every row accounted for; the rejects
as a file; reverted (only what the import created and nobody touched since)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from anchang.assignment.imports import services
from anchang.assignment.models import ImportBatch
from anchang.customers.models import Customer, Registration
from anchang.errors import PermissionDenied, ValidationFailed
from tests.assignment.imports.helpers import VISIT_HEADER, csv_bytes, xlsx
from tests.conftest import next_phone
from tests.deals.helpers import office


def upload(o, data, kind="visits", name="来访登记表.xlsx"):
    return services.import_upload(actor=o.clerk, project=o.project, kind=kind, file_name=name,
                                  data=data)  # fmt: skip


def commit(o, batch, capture):
    with capture(execute=True):
        services.import_commit(actor=o.clerk, batch=batch)
    return ImportBatch.objects.get(pk=batch.pk)


def register(o, rows):
    return xlsx([VISIT_HEADER, *rows], title="某某项目来访登记表", merged_title=True)


def test_a_register_is_previewed_row_by_row_then_committed_with_every_row_accounted_for(
    world, django_capture_on_commit_callbacks
):
    o = office(world)
    medium = o.project.media.first().name
    known = world.customer(o.project, o.consultant, "老客户")
    fresh, twice = next_phone(), next_phone()
    rows = [
        [1, "2026年3月5日", "王先生", "", fresh, medium, o.consultant.name, "三房", "看样板间"],
        [2, "2026/3/6 14:30", "李女士", "女", f"+86 {twice[:3]}-{twice[3:7]}-{twice[7:]}",
         medium, "", "", ""],
        [3, 46090, "李女士", "女", twice, medium, "", "", "再次来访"],
        [4, "2026-03-07", "老客户", "男", known.phone[3:], medium, o.consultant.name, "", ""],
        [5, "2026-03-07", "张三", "男", "12345", medium, "", "", ""],
        [6, "三月七日", "赵四", "男", next_phone(), medium, "", "", ""],
        [7, "2026-03-07", "钱五", "男", next_phone(), "不知道", "", "", ""],
        [8, "2026-03-07", "孙六", "男", next_phone(), medium, "不存在的人", "", ""],
        [9, "2026-03-07", "=HYPERLINK(1)", "男", next_phone(), medium, "", "", ""],
    ]  # fmt: skip
    batch = upload(o, register(o, rows))
    assert batch.header_row == 2 and batch.total == 9
    outcomes = dict(batch.rows.values_list("number", "outcome"))
    assert outcomes == {
        3: "new_customer",
        4: "new_customer",
        5: "return",
        6: "return",
        7: "invalid",
        8: "invalid",
        9: "invalid",
        10: "invalid",
        11: "invalid",
    }
    assert Customer.objects.filter(project=o.project).count() == 1  # nothing written yet
    reasons = dict(batch.rows.values_list("number", "reason"))
    assert all(reasons[n] for n in (7, 8, 9, 10, 11))  # a formula Excel never computed: empty
    done = commit(o, batch, django_capture_on_commit_callbacks)
    assert done.status == "done" and done.done == 9
    assert done.counts == {"new_customer": 2, "return": 2, "invalid": 5}
    first = Customer.objects.get(project=o.project, phone="+86" + fresh)
    assert (first.owner, first.gender, first.visit_count) == (o.consultant, "m", 1)
    assert first.grade and first.next_follow_up_on
    second = Customer.objects.get(project=o.project, phone="+86" + twice)
    assert second.owner is None and second.visit_count == 2  # unowned: the assignment queue
    assert Registration.objects.filter(customer=second).count() == 2
    assert all(r.committed for r in done.rows.all())


def test_the_rejects_download_as_a_sheet_with_the_reason(world, django_capture_on_commit_callbacks):
    o = office(world)
    medium = o.project.media.first().name
    batch = upload(o, register(o, [[1, "2026-03-07", "张三", "男", "12345", medium, "", "", ""]]))
    out = services.import_rejects(actor=o.clerk, batch=batch)
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] and rows[0][1:-1] == tuple(VISIT_HEADER)
    assert rows[1][0] == 3 and rows[1][5] == "12345" and rows[1][-1]


def test_a_gbk_csv_with_full_width_digits_reads_alike(world):
    o = office(world)
    medium = o.project.media.first().name
    phone = next_phone()
    wide = phone.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    data = csv_bytes([VISIT_HEADER, [1, "2026/3/5", "周先生", "", wide, medium, "", "", ""]], "gbk")
    batch = upload(o, data, name="来访.csv")
    assert batch.file_type == "csv"
    assert list(batch.rows.values_list("outcome", flat=True)) == ["new_customer"]


def test_a_formula_in_a_csv_is_refused_never_taken_as_a_value(world):
    o = office(world)
    medium = o.project.media.first().name
    data = csv_bytes([VISIT_HEADER, [1, "2026/3/5", '=cmd|"/c calc"!A1', "男", next_phone(),
                                     medium, "", "", ""]])  # fmt: skip
    row = upload(o, data, name="x.csv").rows.get()
    assert row.outcome == "invalid" and "=" not in row.reason


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"", "empty.xlsx"),
        (b"PK\x03\x04garbage", "x.xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "photo.png"),
        ("序号,客户姓名,联系电话\n".encode(), "headers-only.csv"),
        (b"a,b,c\n1,2,3\n", "unknown-columns.csv"),
    ],
)
def test_what_is_not_a_register_is_refused_with_a_reason(world, data, name):
    o = office(world)
    with pytest.raises(ValidationFailed) as refused:
        upload(o, data, name=name)
    assert refused.value.fields["file"]
    assert not ImportBatch.objects.exists()


def test_only_who_imports_in_the_project_may(world):
    o = office(world)
    with pytest.raises(PermissionDenied):
        services.import_upload(actor=o.consultant, project=o.project, kind="visits",
                               file_name="x.csv", data=b"a")  # fmt: skip


def test_a_revert_removes_what_nobody_touched_and_keeps_the_rest(
    world, django_capture_on_commit_callbacks
):
    o = office(world)
    medium = o.project.media.first().name
    a, b = next_phone(), next_phone()
    batch = upload(o, register(o, [
        [1, "2026-03-05", "甲先生", "", a, medium, o.consultant.name, "", ""],
        [2, "2026-03-05", "乙先生", "", b, medium, o.consultant.name, "", ""],
    ]))  # fmt: skip
    done = commit(o, batch, django_capture_on_commit_callbacks)
    touched = Customer.objects.get(phone="+86" + b)
    touched.notes = "已电话回访"
    touched.save()
    reverted = services.import_revert(actor=o.clerk, batch=done)
    assert reverted.revert_counts["customers_removed"] == 1
    assert reverted.revert_counts["customers_kept"] == 1
    assert not Customer.objects.filter(phone="+86" + a).exists()
    assert Customer.objects.filter(phone="+86" + b).exists()


def test_the_mapping_is_remembered_for_the_project(world):
    o = office(world)
    medium = o.project.media.first().name
    header = ["日子", "客户姓名", "性别", "联系电话", "认知途径"]
    batch = upload(o, xlsx([header, ["2026-03-05", "甲", "男", next_phone(), medium]]))
    assert "occurred_at" not in batch.mapping
    services.import_map(actor=o.clerk, batch=batch, mapping={**batch.mapping, "occurred_at": 0},
                        default_medium_id=None)  # fmt: skip
    again = upload(o, xlsx([header, ["2026-03-06", "乙", "女", next_phone(), medium]]))
    assert again.mapping["occurred_at"] == 0
    assert datetime  # noqa: B018


def test_the_preview_foresees_what_the_commit_does_row_after_row(
    world, django_capture_on_commit_callbacks
):
    """An unowned new customer, then the same phone naming a consultant (a return: they take
    the customer), then naming another (a conflict): the preview says what the commit does."""
    o = office(world)
    medium = o.project.media.first().name
    phone = next_phone()
    rows = [
        [1, "2026-03-05", "甲先生", "", phone, medium, "", "", ""],
        [2, "2026-03-06", "甲先生", "", phone, medium, o.consultant.name, "", ""],
        [3, "2026-03-07", "甲先生", "", phone, medium, o.colleague.name, "", ""],
    ]
    batch = upload(o, register(o, rows))
    foreseen = list(batch.rows.order_by("number").values_list("outcome", flat=True))
    assert foreseen == ["new_customer", "return", "conflict"]
    done = commit(o, batch, django_capture_on_commit_callbacks)
    assert list(done.rows.order_by("number").values_list("outcome", flat=True)) == foreseen
    assert Customer.objects.get(phone="+86" + phone).owner == o.consultant


def test_a_customer_lists_known_phones_merge_without_a_write(
    world, django_capture_on_commit_callbacks
):
    o = office(world)
    medium = o.project.media.first().name
    known = world.customer(o.project, o.consultant, "老客户")
    fresh = next_phone()
    header = ["客户姓名", "性别", "联系电话", "认知途径"]
    rows = [["老客户", "男", known.phone, medium], ["新客户", "女", fresh, medium],
            ["新客户", "女", fresh, medium]]  # fmt: skip
    batch = upload(o, xlsx([header, *rows]), kind="customers", name="名单.xlsx")
    done = commit(o, batch, django_capture_on_commit_callbacks)
    made = Customer.objects.get(phone="+86" + fresh)
    merged = dict(done.rows.values_list("number", "customer_id"))
    assert list(done.rows.order_by("number").values_list("outcome", flat=True)) == [
        "merged", "new_customer", "merged"]  # fmt: skip
    assert merged == {2: known.pk, 3: made.pk, 4: made.pk}
    assert Registration.objects.filter(customer__in=[known, made]).count() == 0


def test_a_commit_whose_worker_died_goes_on_where_it_stopped(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """Chunks of three, a run of blank rows longer than a chunk's reach, and the worker
    killed after two chunks: the tick's resume writes the rest, every row once."""
    o = office(world)
    medium = o.project.media.first().name
    monkeypatch.setattr(services, "CHUNK", 3)
    rows = [
        [i, "2026-03-05", f"客户{i}", "男", next_phone(), medium, "", "", ""] for i in range(10)
    ]
    batch = upload(o, register(o, [*rows[:4], *([[]] * 20), *rows[4:]]))
    assert batch.total == 10
    real, calls = services._commit_chunk, []

    def dying(*args, **kwargs):
        if len(calls) == 2:
            raise KeyboardInterrupt  # the worker killed mid-commit: no failure recorded
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_commit_chunk", dying)
    with pytest.raises(KeyboardInterrupt), django_capture_on_commit_callbacks(execute=True):
        services.import_commit(actor=o.clerk, batch=batch)
    stopped = ImportBatch.objects.get(pk=batch.pk)
    assert (stopped.status, stopped.done) == ("committing", 4)  # 3, then 1 before the gap
    monkeypatch.setattr(services, "_commit_chunk", real)
    ImportBatch.objects.filter(pk=batch.pk).update(
        heartbeat_at=timezone.now() - services.STALE - timedelta(seconds=1)
    )
    assert services.imports_resume(timezone.now()) == 1
    done = ImportBatch.objects.get(pk=batch.pk)
    assert (done.status, done.counts) == ("done", {"new_customer": 10})
    assert Customer.objects.filter(project=o.project).count() == 10
    assert Registration.objects.filter(project=o.project).count() == 10
