"""A clerk imports the example visit register (docs/examples/visit-register.xlsx: a merged
title row, mixed dates, full-width digits, two rows refused on purpose) on a 1280 px screen:
reads every row's outcome in the preview, commits, downloads the refused rows and reverts;
the preview also reads on a 375 px phone."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from anchang.assignment.models import ImportBatch
from anchang.customers.models import Customer
from anchang.demo.build import DEMO_PASSWORD
from anchang.org.models import Project, Role, User
from tests.e2e.conftest import REPO_DIR

pytestmark = pytest.mark.e2e
EXAMPLE = REPO_DIR / "docs" / "examples" / "visit-register.xlsx"


def _register_for(consultant: User) -> bytes:
    """The example with the demo consultant's name where the file names its own (戴雷宇)."""
    book = load_workbook(EXAMPLE)
    for row in book.active.iter_rows():
        for cell in row:
            if cell.value == "戴雷宇":
                cell.value = consultant.name
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_clerk_imports_previews_commits_downloads_the_rejects_and_reverts(open_tab, demo):
    project = Project.objects.get(kind="real_estate")
    clerk = User.objects.filter(memberships__project=project, memberships__role=Role.CLERK).first()
    consultant = User.objects.filter(
        memberships__project=project, memberships__role=Role.CONSULTANT
    ).order_by("pk")[0]
    before = Customer.objects.filter(project=project).count()
    desk = open_tab("1280", locale="zh-CN")
    page = desk.page
    desk.goto("/")
    desk.login(clerk.username, DEMO_PASSWORD)
    desk.goto(f"/imports/?project={project.pk}")
    page.select_option("#id_kind", "visits")
    page.set_input_files("#id_file", files=[{
        "name": "来访登记表.xlsx", "buffer": _register_for(consultant),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }])  # fmt: skip
    page.get_by_test_id("import-read").click()
    page.wait_for_load_state("load")
    batch = ImportBatch.objects.get(project=project)
    assert batch.header_row == 2 and batch.total == 8
    assert batch.counts == {"new_customer": 5, "return": 1, "invalid": 2}, batch.counts
    assert page.get_by_test_id("import-row").count() == 8
    assert "139****5601" in page.get_by_test_id("import-rows").inner_text()  # masked
    assert Customer.objects.filter(project=project).count() == before  # nothing written
    desk.shot("import-preview")

    phone = open_tab("375", locale="zh-CN")
    phone.goto("/")
    phone.login(clerk.username, DEMO_PASSWORD)
    phone.goto(f"/imports/{batch.pk}/")
    assert phone.no_horizontal_overflow()
    phone.shot("import-preview-phone")

    page.get_by_test_id("import-commit").click()
    page.wait_for_load_state("load")
    batch.refresh_from_db()
    assert batch.status == "done" and batch.done == 8
    assert Customer.objects.filter(project=project).count() == before + 5
    assert Customer.objects.get(project=project, phone="+8613912345601").owner == consultant
    assert Customer.objects.get(project=project, phone="+8613912345603").owner is None
    desk.shot("import-done")

    with page.expect_download() as download:
        page.get_by_test_id("import-rejects").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    refused = list(sheet.iter_rows(values_only=True))[1:]
    assert [r[0] for r in refused] == [9, 10] and all(r[-1] for r in refused)

    page.once("dialog", lambda d: d.accept())
    page.get_by_test_id("import-revert").click()
    page.wait_for_load_state("load")
    batch.refresh_from_db()
    assert batch.status == "reverted" and batch.revert_counts["customers_removed"] == 5
    assert Customer.objects.filter(project=project).count() == before
    assert page.get_by_test_id("import-reverted").is_visible()
    desk.shot("import-reverted")
