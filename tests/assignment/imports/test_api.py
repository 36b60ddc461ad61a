"""Imports through the API: the same services as the pages; bad input gets 400 with the
field, a step out of order 409, someone else's batch 404, never a 500."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from anchang.assignment.models import ImportBatch
from tests.assignment.imports.helpers import VISIT_HEADER, xlsx
from tests.conftest import next_phone
from tests.deals.helpers import office


def _upload(api_client, o, **extra):
    medium = o.project.media.first().name
    data = xlsx([VISIT_HEADER, [1, "2026-03-05", "甲先生", "", next_phone(), medium, "", "", ""]])
    body = {"project": o.project.pk, "kind": "visits",
            "file": SimpleUploadedFile("来访.xlsx", data), **extra}  # fmt: skip
    return api_client.post(reverse("api:imports"), body, format="multipart")


def test_upload_preview_map_commit_and_revert(
    api_client, world, django_capture_on_commit_callbacks
):
    o = office(world)
    api_client.force_authenticate(o.clerk)
    made = _upload(api_client, o)
    assert made.status_code == 201, made.content
    batch = made.json()
    assert batch["counts"] == {"new_customer": 1} and batch["status"] == "preview"
    rows = api_client.get(reverse("api:import-rows", args=[batch["id"]])).json()
    assert rows[0]["outcome"] == "new_customer" and "****" in rows[0]["shown"][1]
    again = api_client.put(reverse("api:import", args=[batch["id"]]),
                           {"mapping": batch["mapping"]}, format="json")  # fmt: skip
    assert again.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        started = api_client.post(reverse("api:import-commit", args=[batch["id"]]))
    assert started.status_code == 202
    assert api_client.get(reverse("api:import", args=[batch["id"]])).json()["status"] == "done"
    twice = api_client.post(reverse("api:import-commit", args=[batch["id"]]))
    assert twice.status_code == 409 and twice.json()["code"] == "import_state"
    reverted = api_client.post(reverse("api:import-revert", args=[batch["id"]]))
    assert reverted.status_code == 200 and reverted.json()["status"] == "reverted"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"kind": "bogus"}, "kind"),
        ({"kind": ""}, "kind"),
        ({"project": "１"}, "project"),
        ({"project": "99999999999999999999"}, "project"),
        ({"file": "text, not a file"}, "file"),
    ],
)
def test_a_bad_upload_names_its_field(api_client, world, extra, field):
    o = office(world)
    api_client.force_authenticate(o.clerk)
    answer = _upload(api_client, o, **extra)
    assert answer.status_code == 400 and field in answer.json()["fields"], answer.content
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    "mapping",
    [
        {"phone": 4, "name": 4, "occurred_at": 1},
        {"phone": 99999999999, "name": 2, "occurred_at": 1},
        {"phone": -1, "name": 2, "occurred_at": 1},
        {"name": 2, "occurred_at": 1},
        {"电话": 4, "name": 2, "occurred_at": 1},
        "not a mapping",
    ],
)
def test_a_bad_mapping_says_why_and_changes_nothing(api_client, world, mapping):
    o = office(world)
    api_client.force_authenticate(o.clerk)
    batch = _upload(api_client, o).json()
    answer = api_client.put(reverse("api:import", args=[batch["id"]]), {"mapping": mapping},
                            format="json")  # fmt: skip
    assert answer.status_code == 400, answer.content
    assert ImportBatch.objects.get().mapping == batch["mapping"]


def test_someone_elses_batch_is_not_found_and_a_consultant_may_not_import(api_client, world):
    o = office(world)
    api_client.force_authenticate(o.clerk)
    batch = _upload(api_client, o).json()
    other = office(world, "p3")
    api_client.force_authenticate(other.clerk)
    for name in ("api:import", "api:import-rows", "api:import-rejects"):
        assert api_client.get(reverse(name, args=[batch["id"]])).status_code == 404
    for name in ("api:import-commit", "api:import-revert"):
        assert api_client.post(reverse(name, args=[batch["id"]])).status_code == 404
    api_client.force_authenticate(o.consultant)
    assert _upload(api_client, o).status_code == 403
    assert api_client.get(reverse("api:imports")).status_code == 403
