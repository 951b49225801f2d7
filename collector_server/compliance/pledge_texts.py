"""The two pledge texts of the seeds (坚决抵制虚拟货币“挖矿”活动承诺书), kept word for word.

``county``: the county government's attachment (seed 000) with 负责人（签字）;
``education``: the education department's 附件3 (seed 003) without it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PledgeText:
    title: str
    preamble: str
    subject_line: str  # "{name}" is the unit's or the person's name
    items: tuple[str, ...]
    signature_lines: tuple[str, ...]  # "{name}" filled in on the first line


TITLE = "坚决抵制虚拟货币“挖矿”活动承诺书"
PREAMBLE = (
    "虚拟货币“挖矿”活动极易引发能源、网络、金融等领域安全风险，开展虚拟货币“挖矿”活动专项"
    "整治对促进产业结构优化、推动节能减排、助力如期实现碳达峰、碳中和目标具有重要意义。"
)

TEXTS: dict[str, PledgeText] = {
    "county": PledgeText(
        title=TITLE,
        preamble=PREAMBLE,
        subject_line="{name}（单位/个人名称）现郑重承诺如下：",
        items=(
            "1. 严格遵守国家有关要求，决不参与虚拟货币“挖矿”活动；",
            "2. 自觉加强网络安全防范，提高网络安全等级，杜绝出现因病毒或网络攻击造成的被动型"
            "“挖矿”现象；",
            "3. 自愿接受相关部门的监督检查，如若违背承诺自愿承担相应法律后果和责任。",
        ),
        signature_lines=("承诺单位（加盖公章）/承诺人：{name}", "负责人（签字）："),
    ),
    "education": PledgeText(
        title=TITLE,
        preamble=PREAMBLE,
        subject_line="{name}（单位/个人名称），现郑重承诺如下：",
        items=(
            "1.严格遵守国家有关要求，决不参与虚拟货币“挖矿”活动；",
            "2.自觉加强网络安全防范，提高网络安全等级，杜绝出现因病毒或网络攻击造成的被动型"
            "“挖矿”现象；",
            "3.自愿接受相关部门的监督检查，如违背承诺自愿承担相应法律后果和责任。",
        ),
        signature_lines=("承诺单位（加盖公章）/承诺人：{name}",),
    ),
}


def pledge_text(variant: str) -> PledgeText:
    return TEXTS.get(variant, TEXTS["county"])
