"""Realistic Chinese names for demo data (common surnames, frequent given-name characters)."""

import random

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国志"
    "勇晨浩宇子轩欣怡梓涵雨萱思远嘉怡俊杰博文一诺雅婷佳琪天佑明轩诗涵"
)


def chinese_name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    length = rng.choices([1, 2], weights=[3, 7])[0]
    return surname + "".join(rng.choice(GIVEN) for _ in range(length))


def demo_mobile(index: int) -> str:
    """Numbers from the retired 1349 satellite block: valid-looking, reaching nobody."""
    return f"1349{index:07d}"
