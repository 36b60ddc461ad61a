"""The import pages: a clerk uploads a register, reads the preview, commits, downloads the
rejects and reverts; whoever does not import in the project gets nothing; bad input gets a
clear message beside the field, never a 500."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from anchang.assignment.models import ImportBatch
from anchang.customers.models import Customer
from tests.assignment.imports.helpers import VISIT_HEADER, xlsx
from tests.conftest import next_phone
from tests.deals.helpers import office


def _file(o, bad=1):
    medium = o.project.media.first().name
    rows = [[1, "2026-03-05", "甲先生", "", next_phone(), medium, "", "", ""]]
    rows += [[2 + i, "2026-03-05", "乙", "男", "123", medium, "", "", ""] for i in range(bad)]
    return SimpleUploadedFile("来访登记表.xlsx", xlsx([VISIT_HEADER, *rows], title="登记表"))


def test_a_clerk_uploads_previews_commits_downloads_the_rejects_and_reverts(
    client, world, django_capture_on_commit_callbacks
):
    o = office(world)
    client.force_login(o.clerk)
    page = client.get(reverse("assignment:imports"))
    assert page.status_code == 200 and 'data-testid="import-upload"' in page.text
    answer = client.post(reverse("assignment:imports"),
                         {"project": o.project.pk, "kind": "visits", "file": _file(o)})  # fmt: skip
    batch = ImportBatch.objects.get()
    assert answer.status_code == 302 and answer.url == reverse("assignment:import", args=[batch.pk])
    preview = client.get(answer.url)
    assert preview.text.count('data-testid="import-row"') == 2
    assert 'data-testid="import-commit"' in preview.text
    assert not Customer.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(answer.url, {"commit": "1"})
    assert ImportBatch.objects.get().status == "done" and Customer.objects.count() == 1
    rejects = client.get(reverse("assignment:import-rejects", args=[batch.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(rejects.streaming_content))).active
    assert sheet.max_row == 2
    client.post(answer.url, {"revert": "1"})
    assert ImportBatch.objects.get().status == "reverted" and not Customer.objects.exists()


def test_who_does_not_import_there_gets_nothing(client, world):
    o = office(world)
    client.force_login(o.clerk)
    client.post(reverse("assignment:imports"),
                {"project": o.project.pk, "kind": "visits", "file": _file(o)})  # fmt: skip
    batch = ImportBatch.objects.get()
    client.force_login(o.consultant)
    assert client.get(reverse("assignment:imports")).status_code == 403
    other = office(world, "p3")
    client.force_login(other.clerk)
    for name in ("assignment:import", "assignment:import-progress", "assignment:import-rejects"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404
    assert (
        client.post(reverse("assignment:import", args=[batch.pk]), {"commit": "1"}).status_code
        == 404
    )


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "visits"},
        {"kind": "bogus", "file": "x"},
        {"kind": "visits", "file": "not a file"},
    ],
)
def test_an_upload_without_a_good_file_or_kind_says_so(client, world, data):
    o = office(world)
    client.force_login(o.clerk)
    answer = client.post(reverse("assignment:imports"), {"project": o.project.pk, **data})
    assert answer.status_code == 400 and "data-field-error" in answer.text
    assert not ImportBatch.objects.exists()


def test_a_file_that_is_not_a_register_is_refused_beside_the_field(client, world):
    o = office(world)
    client.force_login(o.clerk)
    upload = SimpleUploadedFile("photo.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    answer = client.post(reverse("assignment:imports"),
                         {"project": o.project.pk, "kind": "visits", "file": upload})  # fmt: skip
    assert answer.status_code == 400 and "data-field-error" in answer.text


def test_a_body_over_the_file_limit_is_refused_before_it_is_read(client, world, settings):
    o = office(world)
    client.force_login(o.clerk)
    settings.ANCHANG_MAX_FILE_BYTES = 1000
    body = {"project": o.project.pk, "kind": "visits", "file": _file(o, bad=40)}
    answer = client.post(reverse("assignment:imports"), body)
    assert answer.status_code == 413


def test_a_mapping_that_names_a_column_twice_or_leaves_the_phone_out_says_so(client, world):
    o = office(world)
    client.force_login(o.clerk)
    client.post(reverse("assignment:imports"),
                {"project": o.project.pk, "kind": "visits", "file": _file(o)})  # fmt: skip
    batch = ImportBatch.objects.get()
    url = reverse("assignment:import", args=[batch.pk])
    twice = {"map": "1", "name": "2", "phone": "2", "occurred_at": "1"}
    answer = client.post(url, twice)
    assert answer.status_code == 400 and "data-field-error" in answer.text
    missing = {"map": "1", "name": "2", "occurred_at": "1"}
    assert client.post(url, missing).status_code == 400
    hostile = {"map": "1", "name": "99999999999999999999", "phone": "-1"}
    assert client.post(url, hostile).status_code == 400
    assert ImportBatch.objects.get().mapping == batch.mapping  # nothing changed
