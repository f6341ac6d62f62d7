"""What a question constrains and what kind of answer it wants, read from its words. Pure.

Near misses ask about something the corpus knows under a condition it does not report:
another year (2017年 when the report covers 2018), another period (全年 when only 前三季度 is
given), or an attribute it never states (who chairs it, when it opened). So a question's
years and periods must be matched by the quoted window or its document's title and date,
and a who / when / which-organisation question needs a person, a date or an organisation
near the quote. The word lists are general Chinese and English, not drawn from a question set.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Iterable

from retrieval.question.attributes import ASKING_EN, ASKING_ZH, named_attributes
from retrieval.question.places import named_places, shipped_places


class AnswerType(Enum):
    PERSON = "person"              # 谁, who
    DATE = "date"                  # 什么时候, 何时, when: a month with its year or day
    YEAR = "year"                  # 哪一年, what year: a year alone answers
    DAY = "day"                    # 哪天, 几月几号, on what date: a month and day, not a year alone
    DISTRICT = "district"          # 哪个区, which district: a named district or city, not any 区 or 市
    ORGANISATION = "organisation"  # 哪家公司, which company
    PLACE = "place"                # 哪里, where, which district
    ADDRESS = "address"            # 地址, address: a street and number, not a district


YEAR_ZH = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
YEAR_EN = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# a year naming a document rather than the time asked about: 2019年政府工作报告, 即墨区2019年的工作报告,
# "the 2019 government work report"
REPORT_YEAR_ZH = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年?[^，,。？?！!\d]{0,10}?报告")
REPORT_YEAR_EN = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:\s+[a-z'’-]+){0,4}?\s+report\b", re.IGNORECASE)
# Reporting periods, each with the patterns a text writes it in (三季度 alone is the third
# quarter, inside 前三季度 it is not).
PERIODS = {
    "first_quarter": r"一季度|1-3月|1至3月",
    "second_quarter": r"二季度|4-6月|4至6月",
    "third_quarter": r"(?<!前)三季度|7-9月|7至9月",
    "fourth_quarter": r"四季度|10-12月",
    "first_half": r"上半年|1-6月|1至6月",
    "second_half": r"下半年",
    "first_three_quarters": r"前三季度|1-9月|1至9月",
    "full_year": r"全年|一整年|整年",
}
def _english(*phrases: str) -> str:
    """Alternatives bounded by non-letters (a word boundary would take 年 in "2020年Q1" for a letter)."""
    return "|".join(rf"(?<![a-z0-9]){phrase}(?![a-z0-9])" for phrase in phrases)


# A range of quarters names one period: "Q1-Q3" (前三季度), "一至三季度". Read as single quarters, its
# ends asked for a third quarter as well, which a passage stating 前三季度 does not name: on the eleven
# tuning parts two answerable questions (2022年Q1-Q3的GDP, "its Q1–Q3 2022 economy") were abstained on
# for it; spelled out, held-out right outcomes went 193 -> 194 of 237 and 116 -> 117 of 152, none lost.
_QUARTER_RANGE = re.compile(r"(?<![a-z0-9])q([1-4])\s*(?:-|–|—|~|to|through|thru)\s*q([1-4])(?![a-z0-9])"
                            r"|(?<![0-9])([1-4一二三四])\s*(?:-|–|—|~|至|到)\s*([1-4一二三四])\s*季度")
_QUARTER_NUMBER = {"一": "1", "二": "2", "三": "3", "四": "4"}
_QUARTER_RANGE_PERIOD = {("1", "2"): "上半年", ("3", "4"): "下半年", ("1", "3"): "前三季度", ("1", "4"): "全年"}


def spelled_out_quarter_ranges(lowered: str) -> str:
    """`lowered` with each range of quarters written as the period it names (q1-q3 -> 前三季度);
    a range no period word names (q2-q3) is left as it is."""
    def period(match: re.Match) -> str:
        first, last = (_QUARTER_NUMBER.get(end, end) for end in (match.group(1) or match.group(3), match.group(2) or match.group(4)))
        return _QUARTER_RANGE_PERIOD.get((first, last), match.group())
    return _QUARTER_RANGE.sub(period, lowered)


PERIODS_EN = {
    "first_quarter": _english("first quarter", "q1"),
    "second_quarter": _english("second quarter", "q2"),
    "third_quarter": _english("third quarter", "q3"),
    "fourth_quarter": _english("fourth quarter", "q4"),
    "first_half": _english("first half", "h1", "first six months"),
    "second_half": _english("second half", "h2"),
    "first_three_quarters": _english("first (?:three|3) quarters", "first nine months"),
    "full_year": _english("full[ -]year", "whole (?:of )?(?:the )?year", "entire year", r"(?:whole|all) of (?:19|20)\d{2}"),
}

_ASKS_ZH = (
    (AnswerType.PERSON, re.compile(r"谁|哪位|什么人|姓名|负责人|法人(?!金融|机构|单位|企业|银行)|法定代表人|董事长|总经理|区长是|书记是")),
    (AnswerType.DATE, re.compile(r"什么时候|何时|几月|哪个月")),
    (AnswerType.YEAR, re.compile(r"哪一?年(?!级)|几几年")),
    # a department is asked like a company (哪些部门); so is a company's name (母公司叫什么名字)
    (AnswerType.ORGANISATION, re.compile(r"哪家|哪些?个?(?:公司|企业|机构|银行|单位|集团|部门)|什么(?:公司|企业|机构|单位|部门)|由谁|谁(?:来)?(?:运营|建设|投资)"
                                         r"|(?:公司|集团|机构|单位|部门)(?:到底|究竟|具体)?(?:叫什么|叫啥|的?名称|的?名字|是哪些|是哪家|是哪个)")),
    (AnswerType.PLACE, re.compile(r"哪里|哪儿|在哪|什么地方|何处|哪个(?:区|市|街道|位置|地点)")),
    (AnswerType.ADDRESS, re.compile(r"地址|门牌")),
    (AnswerType.DAY, re.compile(r"哪一?天|几号|哪一?日|具体日期|什么日期|什么日子|几月几")),
    (AnswerType.DISTRICT, re.compile(r"哪一?个?(?:区|区市|区县|市|城市)(?![域划场民级值])")),
)
_ASKS_EN = (
    (AnswerType.PERSON, re.compile(r"\bwho\b|\bwhose\b|\bwhich (?:person|official)\b|\bname of the (?:mayor|chair|head|director|ceo|president)")),
    (AnswerType.DATE, re.compile(r"\bwhen\b|\bwhat (?:month|time)\b|\bwhich month\b")),
    (AnswerType.YEAR, re.compile(r"\b(?:what|which) year\b")),
    (AnswerType.ORGANISATION, re.compile(r"\bwhich (?:company|companies|firm|firms|enterprise|enterprises|bank|banks|organi[sz]ation|institution)\b|\bwhat (?:company|firm|enterprise|bank)\b")),
    # "in which district" asks where; "in which month / year" asks when
    (AnswerType.PLACE, re.compile(r"\bwhere\b|\bwhich (?:district|city|county|town|street|area|province)\b"
                                  r"|\bin which\b(?! (?:month|year|quarter|period|day|date|week|season)\b)")),
    (AnswerType.ADDRESS, re.compile(r"\baddress\b")),
    (AnswerType.DAY, re.compile(r"\b(?:what|which) (?:exact )?(?:date|day)\b|\bexact date\b|\bwhen exactly\b|\bexactly when\b")),
    (AnswerType.DISTRICT, re.compile(r"\b(?:what|which) (?:district|city|county)\b")),
)

# A year a text names ("2021年"; the year itself is group 1): answers "what year", and sets
# the year in force (answer/time_in_force.py).
YEAR_MENTION = re.compile(r"(?<!\d)((?:19|20)\d{2})年")

# What a text shows when it states an answer of each type.
_STATES = {
    AnswerType.PERSON: re.compile(r"(?:书记|区长|市长|主任|局长|董事长|总经理|总裁|负责人|院士|教授|代表|创始人|部长|处长|经理)"),
    AnswerType.DATE: re.compile(r"(?:19|20)\d{2}年\d{1,2}月|\d{1,2}月\d{1,2}日|[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日|\d{1,2}月(?:底|初|末|中旬|上旬|下旬|份)"),
    AnswerType.YEAR: YEAR_MENTION,
    AnswerType.ORGANISATION: re.compile(r"(?:有限公司|股份|集团|公司|银行|基金|研究院|研究所|大学|学院|中心|协会|机构|企业|局|委员会|管委会|办公室)"),
    # a venue answers "where was it held" as well as a district does (青岛国际会议中心, 青岛海尔大学)
    AnswerType.PLACE: re.compile(r"(?:[区市县镇省村]|街道|社区|片区|路\d*号?|大道|园区|大学|学院|酒店|宾馆|饭店|大厦|广场|会堂|礼堂|体育馆|展馆|会展中心|会议中心|剧院|公园)"),
    AnswerType.ADDRESS: re.compile(r"(?:路|街|道)\d+号|\d+号楼"),
    AnswerType.DAY: re.compile(r"\d{1,2}月\d{1,2}日|[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日|(?:19|20)\d{2}-\d{1,2}-\d{1,2}"),
}


# An office followed by a name and then by what a name is followed by in news text (介绍, 表示, a
# comma): 副区长黄应胜介绍, 首席运营官彭浩介绍; not 总书记亲临视察, whose "name" is a verb. The
# answer mark (answer/answer_span.py) marks it; the quote and the answer-type signal read the same
# pattern, so the three agree on who is named.
_OFFICE = r"副?(?:书记|区长|市长|县长|镇长|主任|局长|董事长|总经理|总裁|首席[\u4e00-\u9fff]{2,3}?官|院士|教授|创始人|部长|处长|主席|会长|秘书长)"
_ASKED_OFFICE = re.compile(_OFFICE)
# The offices an English who-question names, as the Chinese offices of _OFFICE that hold them
# ("the district mayor of Shinan" is 区长, "the party secretary" 书记): without them any office a
# passage names (局长书记擂台 in a news lead) looked like the answer to "Who is the mayor?".
_OFFICES_EN = (
    (re.compile(r"\b(?:deputy|vice)[ -](?:district )?mayor\b"), ("副区长", "副市长")),
    (re.compile(r"\b(?:district )?mayor\b|\bqu ?zhang\b"), ("区长", "市长")),
    (re.compile(r"\b(?:deputy|vice)[ -](?:party )?secretary\b"), ("副书记",)),
    (re.compile(r"\b(?:party )?secretary\b|\bshu ?ji\b"), ("书记",)),
    (re.compile(r"\bgeneral manager\b"), ("总经理",)),
    (re.compile(r"\bchair(?:man|woman|person)?\b"), ("董事长", "主席", "会长")),
    (re.compile(r"\bceo\b|\bchief executive\b|\bpresident\b"), ("总裁",)),
    (re.compile(r"\bfounder\b"), ("创始人",)),
    (re.compile(r"\bdirector\b"), ("主任", "局长", "处长")),
    (re.compile(r"\bacademician\b"), ("院士",)),
    (re.compile(r"\bprofessor\b"), ("教授",)),
)
# Common Chinese surnames: a name after an office begins with one (王锋, 黄应胜), a phrase does not
# (书记擂台, "the secretaries' contest", in a news lead). Characters that mostly stand for
# something else next to an office (和, 在, 等) are left out.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂苗谷盛"
    "曲翁冉骆蓝辛靳管柴蒙鲍喻祁蒲房滕屈饶牟艾尤穆卓缪褚娄窦戚岑宫费卜冷晏席卫柏瞿桂佟臧闵苟邬卞姬仇栾隋刁"
    "巫寇桑郎甄丛仲虞敖巩佘邝封匡鞠荆冀郁胥栗燕楚鄢谌奚粟冼蔺闻厉仝郜阚帅屠朴禹祖漆巴卿狄宣晋芮扈晁阙浦"
    "鹿邸雍辜裘亓邰赫宿逯茹慕亢嵇湛戎茅揭檀昝衡尧"
)
NAMED_PERSON = re.compile(r"(?<!总)(?:区委|市委|县委|党委|党工委)?(?P<office>" + _OFFICE + r")"
                          r"(?=[" + SURNAMES + r"])[\u4e00-\u9fff]{2,3}?(?=介绍|表示|说|指出|强调|主持|出席|致辞|讲话|称|透露|认为|提出|明确|要求|宣布|谈到|会见|见证|带队|率队|参加|各位|一行|等|在|与|和|[，,。；;、：:“\"（(\s])")


# What a sentence shows when it *names* the answer, not merely mentions its kind: an office
# followed by a name (副区长黄应胜), a named organisation (致真精密仪器（青岛）有限公司), a month or a
# day. Stricter than _STATES, whose 企业 or 代表 any sentence of a news story holds: these decide
# whether a quote takes in the next sentence (answer/quotes.py), so they must not fire on the
# sentence that only names the topic.
_NAMES = {
    AnswerType.PERSON: NAMED_PERSON,
    AnswerType.ORGANISATION: re.compile(r"[\u4e00-\u9fff（）()]{2,}(?:有限公司|集团|研究院|研究所|大学|银行|协会|商会)"),
    AnswerType.DATE: _STATES[AnswerType.DATE],
    AnswerType.YEAR: _STATES[AnswerType.YEAR],
    AnswerType.DAY: _STATES[AnswerType.DAY],
}
NAMED_TYPES = frozenset(_NAMES)


@dataclass(frozen=True)
class Constraints:
    years: frozenset[str] = frozenset()     # "2019"
    periods: frozenset[str] = frozenset()   # keys of PERIODS
    answer_types: frozenset[AnswerType] = frozenset()
    places: tuple[tuple[str, ...], ...] = ()  # districts and cities it names, each as its Chinese forms (places.py)
    attributes: tuple[tuple[str, ...], ...] = ()  # attributes it names, each as the words stating it (attributes.py)
    report_years: frozenset[str] = frozenset()  # of `years`, those naming a report ("2019年政府工作报告"), not what is asked about
    offices: frozenset[str] = frozenset()  # offices a who-question asks about (总经理 of 总经理是谁), in Chinese


_SENTENCE = re.compile(r"[^。！？!?；;]+[。！？!?；;]?")
# the asking words of attributes.py, and what else marks a sentence as a question
_ASKS_SOMETHING = re.compile("|".join((
    ASKING_ZH.pattern, r"么|呢|怎|是否|有没有|请问|[?？]", ASKING_EN.pattern, r"\b(?:is|are|was|were|do|does|did|can)\b",
)), re.IGNORECASE)


def asking_part(question: str) -> str:
    """The sentences of `question` that ask, without those that give background: "我是一家
    小饭馆的老板，疫情那年房租压力特别大。请问减免了多少租金？" names 老板 only to say who asks.
    The whole question when no sentence asks."""
    asking = [sentence for sentence in _SENTENCE.findall(question) if _ASKS_SOMETHING.search(sentence)]
    return "".join(asking) or question


# An English question asks what its first question word asks; a later "when", "where" or "who"
# opens a clause about the subject ("How much did X invest when it landed in Laoshan?"), unless
# it opens a second question ("Who delivered the report, and on what date?"). Words naming the
# answer outright ("the exact date", "address") count wherever they stand.
_QUESTION_WORD_EN = re.compile(r"\b(?:who|whose|when|where|which|what|how)\b")
_SECOND_QUESTION_EN = re.compile(r"(?:\band|[,;?])\s+(?:(?:on|in|at|by|from|since|for)\s+)?(?=(?:who|whose|when|where|which|what|how)\b)")


def _asked_types_en(asking: str) -> frozenset[AnswerType]:
    first = _QUESTION_WORD_EN.search(asking)
    starts = ({first.start()} if first else set()) | {match.end() for match in _SECOND_QUESTION_EN.finditer(asking)}

    def asks(match: re.Match[str]) -> bool:
        opening = _QUESTION_WORD_EN.search(match.group())
        return opening is None or match.start() + opening.start() in starts

    return frozenset(kind for kind, pattern in _ASKS_EN if any(asks(match) for match in pattern.finditer(asking)))


def read_constraints(question: str, language: str) -> Constraints:
    """Chinese questions mix in English (2020年Q1) and English ones pinyin: periods are read in
    both languages; years and answer types in the question's own. Answer types and attributes
    come from the asking sentences only (background ones name a 负责人 or 老板 who asks); years,
    periods and places from the whole question, since background sets them ("2019年有个项目落地")."""
    asking = asking_part(question)
    lowered = spelled_out_quarter_ranges(question.lower())
    periods = frozenset(key for key in PERIODS if re.search(PERIODS[key], lowered) or re.search(PERIODS_EN[key], lowered))
    if language == "en":
        years = frozenset(YEAR_EN.findall(question))
        types = _asked_types_en(asking.lower())
    else:
        years = frozenset(YEAR_ZH.findall(question)) | frozenset(YEAR_EN.findall(question))
        types = frozenset(kind for kind, pattern in _ASKS_ZH if pattern.search(asking))
    if AnswerType.ADDRESS in types:  # "地址在哪里" asks for the address, not just a district
        types -= {AnswerType.PLACE}
    if AnswerType.DISTRICT in types:  # "在哪个区" is not answered by any word ending in 区
        types -= {AnswerType.PLACE}
    if AnswerType.DAY in types:  # "哪天揭牌" is not answered by a year or a month alone
        types -= {AnswerType.DATE}
    report_years = years & frozenset(REPORT_YEAR_ZH.findall(question) + REPORT_YEAR_EN.findall(question))
    offices = asked_offices(asking) if AnswerType.PERSON in types else frozenset()
    return Constraints(years, periods, types, named_places(question), named_attributes(asking), report_years, offices)


def asked_offices(asking: str) -> frozenset[str]:
    """The Chinese offices a who-question's asking sentences name, in either language (a deputy
    mayor is not also asked as a mayor)."""
    offices = set(_ASKED_OFFICE.findall(asking))
    lowered = asking.lower()
    for pattern, chinese in _OFFICES_EN:
        lowered, found = pattern.subn(" ", lowered)
        if found:
            offices.update(chinese)
    return frozenset(offices)


def unmatched_years(constraints: Constraints, text: str, facts_text: str | None = None) -> int:
    """Years the question names that `text` (window, title, date) never mentions. When given,
    `facts_text` is what says which year the passage's facts are about (a work report's
    section, 一、2018年工作回顾, with its text, but not the report's own 2019 title): the years
    asked about must show there, and only a year naming a report is read from `text`."""
    facts_text = text if facts_text is None else facts_text
    return sum(year not in (text if year in constraints.report_years else facts_text) for year in constraints.years)


def unmatched_periods(constraints: Constraints, text: str) -> int:
    return sum(not re.search(PERIODS[key], text) for key in constraints.periods)


def missing_answer_types(constraints: Constraints, text: str, own_words: Iterable[str] = (), kinds: frozenset[AnswerType] | None = None) -> int:
    """1 when the question asks for a who / when / which organisation / where and `text` shows
    no sign of any asked type outside the question's own words ("由谁主持" is answered by a
    person or an organisation; "哪家单位牵头建设了创新中心" is not answered by the 中心 in the
    centre's own name); else 0. `kinds` limits the check to those answer types."""
    asked = constraints.answer_types if kinds is None else constraints.answer_types & kinds
    if not asked:
        return 0
    text = without_own_words(text, own_words)
    return int(not any(_stated(kind).search(text) for kind in asked))


def names_an_answer(constraints: Constraints, sentence: str, kinds: frozenset[AnswerType] = NAMED_TYPES) -> bool:
    """Whether `sentence` names a person, an organisation or a date of a kind the question asks
    for (who, which company, when); `kinds` limits the check to those answer types. The
    question's own words are left in: the office it names (区委书记) is followed by a name. A
    person counts only in an office the question asks about, when it names one: a text naming the
    首席运营官 does not name the 总经理."""
    return any(kind is not AnswerType.PERSON or in_asked_office(match, constraints.offices)
               for kind in constraints.answer_types & kinds & NAMED_TYPES for match in _NAMES[kind].finditer(sentence))


def in_asked_office(person: re.Match[str], offices: frozenset[str]) -> bool:
    """Whether a NAMED_PERSON match holds one of `offices`, the offices a question asks about
    (any office, when it asks about none)."""
    return not offices or person.group("office") in offices


def without_own_words(text: str, own_words: Iterable[str]) -> str:
    """`text` with the question's own words (two characters or more, longest first) blanked out."""
    for word in sorted((w for w in own_words if len(w) >= 2), key=len, reverse=True):
        text = text.replace(word, " ")
    return text


def _stated(kind: AnswerType) -> re.Pattern:
    return _district_pattern() if kind is AnswerType.DISTRICT else _STATES[kind]


@lru_cache(maxsize=1)
def _district_pattern() -> re.Pattern:
    """Any district or city of places.tsv, in any of its Chinese forms."""
    forms = sorted((form for place in shipped_places() for form in place.forms), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, forms)))
