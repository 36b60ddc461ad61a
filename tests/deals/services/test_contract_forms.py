"""合同文本: numbered forms received, issued to named staff, returned signed or void, passed
to finance; every move from the one state it starts from; flagged when out too long."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from anchang.deals import services
from anchang.deals.models import ContractForm, ContractFormMove, Unit
from anchang.deals.selectors import contract_form_ledger
from anchang.errors import Conflict, PermissionDenied, ValidationFailed
from tests.deals.helpers import building, office, subscribe


def test_a_form_moves_through_the_ledger(world):
    o = office(world)
    forms = services.forms_receive(actor=o.clerk, project=o.project, prefix="HT-", first=100,
                                   count=5)  # fmt: skip
    assert [f.number for f in forms][:2] == ["HT-000100", "HT-000101"]
    services.forms_move(actor=o.clerk, project=o.project, kind="issued",
                        numbers=["HT-000100", "HT-000101"], holder=o.consultant)  # fmt: skip
    with pytest.raises(Conflict) as exc:  # issued twice: refused, nothing moves
        services.forms_move(actor=o.clerk, project=o.project, kind="issued",
                            numbers=["HT-000101", "HT-000102"], holder=o.colleague)  # fmt: skip
    assert exc.value.code == "form_not_there" and "HT-000101" in exc.value.fields["numbers"]
    assert ContractForm.objects.get(number="HT-000102").status == "in_stock"
    deal = subscribe(world, o, Unit.objects.get(building=building(o), floor=1, position=1),
                     method="full")  # fmt: skip
    services.forms_move(actor=o.clerk, project=o.project, kind="signed", numbers=["HT-000100"],
                        deal=deal)  # fmt: skip
    services.forms_move(actor=o.clerk, project=o.project, kind="void", numbers=["HT-000101"])
    services.forms_move(actor=o.clerk, project=o.project, kind="to_finance",
                        numbers=["HT-000100", "HT-000101"])  # fmt: skip
    assert set(ContractForm.objects.filter(status="at_finance").values_list("number", flat=True)) \
        == {"HT-000100", "HT-000101"}  # fmt: skip
    kinds = list(ContractFormMove.objects.filter(form__number="HT-000100")
                 .order_by("at", "id").values_list("kind", flat=True))  # fmt: skip
    assert kinds == ["received", "issued", "signed", "to_finance"]


def test_numbers_are_unique_and_bounded(world):
    o = office(world)
    services.forms_receive(actor=o.clerk, project=o.project, prefix="A", first=1, count=3)
    with pytest.raises(Conflict):
        services.forms_receive(actor=o.clerk, project=o.project, prefix="A", first=3, count=2)
    assert ContractForm.objects.count() == 3
    for first, count in [(-1, 1), (0, 0), (0, 501), (999_999, 5)]:
        with pytest.raises(ValidationFailed):
            services.forms_receive(actor=o.clerk, project=o.project, prefix="B", first=first,
                                   count=count)  # fmt: skip


def test_only_the_keepers_move_forms(world):
    o = office(world)
    with pytest.raises(PermissionDenied):
        services.forms_receive(actor=o.consultant, project=o.project, prefix="X", first=1,
                               count=1)  # fmt: skip


def test_a_form_out_too_long_is_flagged_and_the_request_counts_the_pipeline(world, client):
    o = office(world)
    services.forms_receive(actor=o.clerk, project=o.project, prefix="HT-", first=1, count=2)
    long_ago = timezone.now() - timedelta(days=20)
    services.forms_move(actor=o.clerk, project=o.project, kind="issued", numbers=["HT-000001"],
                        holder=o.consultant, now=long_ago)  # fmt: skip
    ledger = contract_form_ledger(o.project)
    assert [f.number for f in ledger.out_too_long] == ["HT-000001"]
    subscribe(world, o, Unit.objects.get(building=building(o), floor=1, position=1),
              method="full")  # fmt: skip
    request = services.forms_request(actor=o.clerk, project=o.project, month=timezone.localdate())
    assert request.expected_signings == 1 and request.in_stock == 1 and request.count == 0
    client.force_login(o.clerk)
    page = client.get(reverse("deals:contract-forms"), {"project": o.project.pk})
    assert page.status_code == 200 and "HT-000001" in page.content.decode()
    response = client.post(reverse("deals:contract-forms"), {
        "project": o.project.pk, "what": "move", "kind": "issued", "numbers": "HT-000002",
        "holder": o.colleague.pk,
    })  # fmt: skip
    assert response.status_code == 302
    assert ContractForm.objects.get(number="HT-000002").holder == o.colleague
    client.force_login(o.consultant)
    assert client.get(reverse("deals:contract-forms")).status_code == 403
