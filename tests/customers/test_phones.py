"""Phone normalisation and masking, as properties over many generated numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anchang.customers.phones import mask_phone, normalise_phone
from anchang.errors import ValidationFailed
from anchang.logging_filters import mask_text

PREFIXES = ["130", "135", "138", "139", "150", "177", "186", "188", "199", "1349"]
mobiles = st.builds(
    lambda prefix, rest: prefix + rest[: 11 - len(prefix)],
    st.sampled_from(PREFIXES),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def variants(number: str) -> list[str]:
    spaced = f"{number[:3]} {number[3:7]} {number[7:]}"
    dashed = f"{number[:3]}-{number[3:7]}-{number[7:]}"
    return [
        number,
        spaced,
        dashed,
        "+86" + number,
        "+86 " + spaced,
        "0086" + number,
        "86" + number,
        number.translate(FULL_WIDTH),
        f" {number} ",
    ]


@given(mobiles)
def test_every_written_form_normalises_to_one_number(number):
    forms = {normalise_phone(v) for v in variants(number)}
    assert forms == {"+86" + number}


@given(mobiles)
def test_mask_keeps_three_and_four_and_hides_the_rest(number):
    masked = mask_phone("+86" + number)
    assert masked == number[:3] + "****" + number[-4:]
    assert number[3:7] not in masked.replace("*", "") or number[3:7] in (number[:3] + number[-4:])


def test_mask_does_not_leak_when_the_tail_repeats_the_middle():
    # 138 0000 0000: a replace()-based masker would turn it into 138********
    assert mask_phone("+8613800000000") == "138****0000"
    assert mask_phone("+8613812341234") == "138****1234"


@pytest.mark.parametrize(
    "raw", ["", "abc", "123", "1380013800", "138001380000", "12345678901", "+86 138 0013 800"]
)
def test_invalid_numbers_are_refused_with_a_field_message(raw):
    with pytest.raises(ValidationFailed) as info:
        normalise_phone(raw)
    assert "phone" in info.value.fields


@given(mobiles, st.text(max_size=20))
def test_log_lines_never_carry_a_mobile(number, noise):
    line = f"registered {noise} {number} at desk"
    assert number not in mask_text(line)
    spaced = f"{number[:3]} {number[3:7]} {number[7:]}"
    assert number[3:7] + " " + number[7:] not in mask_text(f"call {spaced} now")


def test_log_lines_never_carry_an_id_number():
    assert "110101199003077777" not in mask_text("id 110101199003077777 seen")
    assert "11010119900307777X" not in mask_text("id 11010119900307777X seen")
