"""followups/suspicion: shared helpers, and the texts the tests share: genuine notes, a
pasted copy, filler."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from anchang.followups.suspicion.services import flags_backfill

PAGE = "followups:suspicious"


def detect(**kwargs):
    """What the tick does, to the end: records entered in the last minute settle first."""
    return flags_backfill(now=timezone.now() + timedelta(minutes=2), **kwargs)


GENUINE = (
    "王先生今天来电，问了128平三居室的总价和首付比例，说首付能拿出120万，"
    "周六带太太来看样板间，重点关注学区。"
)
# The same text pasted onto another customer with the names changed.
PASTED = GENUINE.replace("王先生", "李女士").replace("太太", "先生")
OTHER_GENUINE = (
    "陈女士第二次到访，带父母看了15楼东边套，嫌总价偏高，希望能有团购优惠，"
    "下周三前给答复，已约周末再来谈认购。"
)
THIRD_GENUINE = (
    "赵总回电说公司年底发奖金后再定，目前在比较我们和绿城的两个盘，"
    "关心车位配比和物业费，答应下周发他车位图。"
)
FILLER_TEXT = "客户考虑中，再联系" + "。" * 24  # padded to the 30 characters a call needs
