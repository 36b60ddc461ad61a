"""The audit log is append-only and readable only by auditors and admins."""

from __future__ import annotations


def test_details_read_as_text_with_names_not_ids():
    from anchang.audit.details import describe as details_text

    text = details_text(
        {"from": 3, "from_name": "王芳", "to": 4, "to_name": "李强", "reason": "调岗"}
    )
    assert text == "原归属顾问: 王芳 · 新归属顾问: 李强 · 原因: 调岗"
    assert details_text({}) == "" and details_text(None) == ""
