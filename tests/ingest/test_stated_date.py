"""A document's own date, told from its heading lines, and from the site's date line."""
from __future__ import annotations

import pytest

from retrieval.ingest.cleaner import clean_text
from retrieval.ingest.lines import stated_date
from retrieval.types import Passage

BODY = "园区今年新引进重点项目十二个，总投资超过八十亿元，带动就业三千余人。"


@pytest.mark.parametrize(
    "heading, expected",
    [
        ("――2019年1月31日在青岛市即墨区第十八届人民代表大会第三次会议上青岛市即墨区人民政府区长吕涛各位代表:", "2019-01-31"),
        ("政府工作报告――2019年1月10日在青岛市崂山区第十八届人民代表大会第三次会议上", "2019-01-10"),
        ("—— 2021年2月3日在区政协十届五次会议上", "2021-02-03"),
        ("（2020年12月30日区十八届人大常委会第三十次会议通过）", "2020-12-30"),
        ("（2022年5月1日）", "2022-05-01"),
        ("新华社北京2023年3月5日电 十四届全国人大一次会议5日上午开幕。", "2023-03-05"),
        ("青岛日报2023年3月5日讯 记者从市商务局获悉", "2023-03-05"),
    ],
)
def test_dates_stated_in_heading_lines(heading, expected):
    assert stated_date([heading]) == expected


@pytest.mark.parametrize(
    "heading",
    [
        "2019年11月,青岛易科空调工程材料有限公司与海阳市人民政府签署项目落地协议",  # no day, an event
        "2023年,青岛市崂山区通过大力实施招商引资策略",  # a year
        "2019年1月31日在青岛举行的签约仪式上，双方签署协议",  # an event's date in the first sentence
        "该项目于2019年1月31日签约，总投资8000万元。",  # a date inside a sentence
        "――2019年13月31日在区人民代表大会第三次会议上",  # no such month
        "市南区" * 30 + "――2019年1月31日在区人民代表大会第三次会议上",  # far past the heading zone
        "",
    ],
)
def test_event_dates_and_non_dates_are_not_the_documents_date(heading):
    assert stated_date([heading]) is None


def test_title_line_can_hold_the_date():
    assert stated_date(["政府工作报告（2019年1月31日）", BODY]) == "2019-01-31"


def test_cleaned_article_keeps_own_date_and_site_date_apart():
    raw = "\n".join([
        "-",
        "【即墨区招商】2019年某区人民政府工作报告",
        "――2019年1月31日在某区第十八届人民代表大会第三次会议上某区区长各位代表:现在,我代表区人民政府向大会报告工作。 " + BODY,
        "2025-07-09",
        "-",
        "【青岛招商】某项目签约",
        "2019年11月,某公司与某市人民政府签署项目落地协议。",
        "2025-07-09",
    ])
    report, news = clean_text(raw)
    assert (report.date, report.posted) == ("2019-01-31", "2025-07-09")
    assert (news.date, news.posted) == (None, "2025-07-09")


def test_passages_written_before_posted_existed_still_load():
    old = {"passage_id": "a#1:0", "doc_id": "a#1", "file": "a.txt", "title": "t", "date": "2025-07-09",
           "section": None, "start": 0, "end": 2, "text": "文本"}
    passage = Passage.from_dict(old)
    assert passage.posted is None and passage.date == "2025-07-09"
    assert Passage.from_dict(passage.to_dict()) == passage
    with pytest.raises(KeyError):  # a required field is still required
        Passage.from_dict({key: value for key, value in old.items() if key != "text"})
