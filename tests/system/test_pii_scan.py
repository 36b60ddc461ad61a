"""The log scanner finds what masking must remove, and not what merely looks like it."""

from tests.pii_scan import id_number_valid, scan_text

VALID_ID = "11010519491231002X"  # the GB 11643 standard's own example


def test_it_finds_mobiles_in_every_written_form():
    for line in ["call 13800138000", "+8613800138000 ok", "138 0013 8000", "86-138-0013-8000"]:
        assert [h.kind for h in scan_text(line)] == ["mobile"], line


def test_it_finds_an_id_number_with_a_valid_check_character():
    assert id_number_valid(VALID_ID)
    assert [h.kind for h in scan_text(f"id {VALID_ID} seen")] == ["id_number"]
    assert scan_text(f"id {VALID_ID[:-1]}3 seen") == []  # wrong check character


def test_masked_numbers_and_long_ids_are_not_hits():
    assert scan_text("call 138****8000 and [ID]") == []
    assert scan_text("Not Found: /api/v1/customers/-629173116680284032/") == []
    assert scan_text("order 20261122000001") == []


def test_a_hit_says_where_but_not_what():
    (hit,) = scan_text("x\ncall 13800138000", "app.log")
    assert hit.line == 2 and str(hit) == "app.log:2: an unmasked mobile"
