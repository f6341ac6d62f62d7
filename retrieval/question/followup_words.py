"""What the follow-up resolver needs to know about words: places and names, periods, pronouns,
asking words and the small connectives a chat follow-up starts or ends with.

`Lexicon` answers from the segmenter, the dictionary's part-of-speech tags (ns place, nt
organisation, nz/nr other names), the domain dictionary's own words and the pinyin of the
corpus's place names (Laoshan -> 崂山), so that no list of this corpus's districts lives here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

QUOTED = re.compile(r"(“[^”]{1,20}”|「[^」]{1,20}」|《[^》]{1,30}》|\"[^\"]{1,20}\")")
PLACE_SUFFIX = re.compile(r"(?:区|县|街道)$")
NAME_TAGS = frozenset({"ns", "nt", "nz", "nr", "nrt", "nrfg"})
PLACE_TAG = "ns"
# tags that may sit inside a noun phrase (jieba's: nouns, English, numbers, measure words,
# adjectives, distinguishing words, 的, verbal nouns, unknown HMM words "")
NOUNISH_TAGS = frozenset({"n", "ng", "nr", "ns", "nt", "nz", "nrt", "nrfg", "eng", "m", "mq", "q", "a", "b", "uj", "vn", "an", "l", "j", "x", ""})

# --- periods: a year (with 到/底/末/初 around it) and a part of a year -----------------------
YEAR_ZH = re.compile(r"(?:到|截至|截止)?((?:19|20)\d{2})年?(?:底|末|初)?")
PART_ZH = re.compile(r"上半年|下半年|前三季度|第?[一二三四1-4]季度|全年|[1-9]\d?(?:-|—|至|到)\d{1,2}月|前\d{1,2}个?月")
YEAR_EN = re.compile(r"\b((?:19|20)\d{2})\b")
PART_EN = re.compile(
    r"\b(?:the\s+)?(?:first|second|third|fourth)\s+(?:half|quarter|three\s+quarters)(?:\s+of)?\b|\b(?:full|whole)\s+year\b|\bQ[1-4]\b",
    re.IGNORECASE,
)

# --- asking words ---------------------------------------------------------------------------
ASK_ZH = re.compile(r"(?:是)?(?:多少|几|哪(?:一家|一个|家|个|些|里|儿)?|什么|怎么样|怎样|如何|何时|谁|是否|吗|为何|为什么)")
# what follows 多少/几 before the thing counted: 多少家, 几处, 多少个
CLASSIFIER = re.compile(r"^(?:个|家|座|处|件|名|位|项|所|套|次|人|亿元|万元|元|亩|平方米|平方公里|天)")
WH_EN = re.compile(r"\b(how\s+(?:many|much|long|big|large|far|fast|high)|how|what|which|who|whom|whose|when|where|why)\b", re.IGNORECASE)
AUXILIARY_EN = frozenset("is are was were do does did has have had will would can could should may might".split())

# --- connectives and endings of elliptical follow-ups ---------------------------------------
LEADING_ZH = re.compile(r"^(?:那么|那|还有|另外|再问一下|再问|而|和|及)\s*")
LEADING_EN = re.compile(r"^(?:and\s+)?(?:what|how)\s+about\s+|^and\s+(?:for|in)\s+|^and\s+|^also\s+|^then\s+", re.IGNORECASE)
TRAILING = re.compile(r"(?:的)?呢?[\s？?。.!！,，~～]*$")
ENDS_WITH_NE = re.compile(r"呢[\s？?。.!！~～]*$")
POSSESSIVE = re.compile(r"['’]s$")
FUNCTION_ZH = frozenset("的 了 呢 吗 啊 吧 是 在 和 与 及 也 又 还 就 都 那 这 呢".split())
FUNCTION_EN = frozenset("""a an the of for in on at to by with and or also then what about how is are was were
do does did its it their there this that these those s""".split())

# --- pronouns -------------------------------------------------------------------------------
# a bare pronoun, or a demonstrative (+ measure word) + the head noun it points back with
PRONOUN_ZH = re.compile(r"它们|它|(?:该|这|此|那)(?:个|家|座|所|项|笔|一)?(?P<head>公司|企业|集团|项目|园区|产业园|园|平台|会议|大会|中心|基地|工程|机构|钱|资金|区|地方)|这家|该企业|那里|那儿|其(?=[\u4e00-\u9fff]{0,3}(?:是|为|有|在|的))")
PRONOUN_EN = re.compile(
    r"\b(?:(?:this|that|the\s+same|these|those)\s+(?P<head>company|firm|enterprise|project|park|platform|conference|meeting|centre|center|zone|plant|base|fund|money|district|area|programme|program|event)s?|its|it|they|their|them)\b",
    re.IGNORECASE,
)
HEAD_ZH_TO_EN = {"公司": "company", "企业": "enterprise", "项目": "project", "园区": "park"}


@dataclass
class Lexicon:
    """Word knowledge over one corpus. `segment` cuts text into words (jieba's precise mode);
    `tags` are dictionary tags; `domain_words` the domain dictionary's words; `english_names`
    maps a folded pinyin spelling ("laoshan") to the corpus words it spells."""

    segment: Callable[[str], Iterable[str]]
    tags: Mapping[str, str] = field(default_factory=dict)
    domain_words: frozenset[str] = frozenset()
    english_names: Mapping[str, Iterable] = field(default_factory=dict)

    def words(self, text: str) -> list[tuple[str, str]]:
        """(word, tag) pairs; "" when the dictionary has no tag (new words, punctuation).
        A quoted name (“暖南诉办”) stays one word, tagged nz."""
        pairs = []
        for piece in QUOTED.split(text):
            if QUOTED.fullmatch(piece):
                pairs.append((piece, "nz"))
            elif piece:
                pairs += self._plain_words(piece)
        return pairs

    def _plain_words(self, text: str) -> list[tuple[str, str]]:
        pairs = []
        for word in self.segment(text):
            if word.strip():
                tag = self.tags.get(word, "")
                if not tag and re.fullmatch(r"[A-Za-z][A-Za-z'’\-]*", word):
                    tag = "eng"
                elif not tag and re.fullmatch(r"\d+(?:\.\d+)?", word):
                    tag = "m"
                pairs.append((word, tag))
        return pairs

    def is_place(self, word: str) -> bool:
        """A Chinese place name (tagged ns, or a name ending in 区/县/街道 the dictionary does not
        know as anything else: 高新区), or an English (pinyin) spelling of one of the corpus's."""
        tag = self.tags.get(word)
        if tag == PLACE_TAG or (len(word) >= 3 and PLACE_SUFFIX.search(word) and tag in (None, "n", "nz", "nt", "nr")):
            return True
        return any(self.tags.get(_token(entry)) == PLACE_TAG for entry in self._english(word))

    def is_name(self, word: str) -> bool:
        """A proper name or domain term: something a question can be about on its own."""
        return self.tags.get(word) in NAME_TAGS or word in self.domain_words or bool(self._english(word))

    def chinese_spellings(self, word: str) -> list[str]:
        """The corpus words a pinyin name spells ("Laoshan" -> 崂山, 崂山区), best first."""
        return [_token(entry) for entry in self._english(word)]

    def _english(self, word: str) -> list:
        key = POSSESSIVE.sub("", word).lower().replace("-", "")
        return list(self.english_names.get(key, ())) if key.isascii() and key.isalpha() else []


def _token(entry) -> str:
    return entry[0] if isinstance(entry, (list, tuple)) else entry


def places_in(text: str, lexicon: Lexicon) -> list[tuple[int, int, str]]:
    """(start, end, word) of every place name in `text`: Chinese words tagged ns, English
    capitalised words spelling one (a possessive 's stays outside the span)."""
    found = []
    position = 0
    for word, _tag in lexicon.words(text):
        start = text.find(word, position)
        if start < 0:
            continue
        position = start + len(word)
        if lexicon.is_place(word) and (not word.isascii() or word[:1].isupper()):
            found.append((start, start + len(word), word))
    return found


def english_names_in(text: str) -> list[tuple[int, int, str]]:
    """Capitalised words that are not the sentence's first word nor an asking word."""
    found = []
    for match in re.finditer(r"[A-Z][A-Za-z\-]*", text):
        before = text[: match.start()].rstrip()
        first = not before or before[-1] in ".?!"
        word = match.group()
        if (first and word.lower() in FUNCTION_EN | {"how", "what", "which", "who", "when", "where", "why"}) or word == "I":
            continue
        found.append((match.start(), match.end(), word))
    return found


def domain_dictionary_words() -> frozenset[str]:
    """The words of our domain dictionary (retrieval/data/userdict.txt): district names,
    专精特新, 独角兽 … each a thing a question can be about."""
    from importlib import resources

    text = resources.files("retrieval").joinpath("data", "userdict.txt").read_text(encoding="utf-8")
    return frozenset(line.split()[0] for line in text.splitlines() if line.strip())
