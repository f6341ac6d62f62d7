"""Does the quoted text actually answer? Keyword evidence near the quote. Pure functions.

Unanswerable questions are mostly near misses: the corpus knows the entity but not the asked
attribute (a district's full-year figure when only three quarters are reported). Dense scores
cannot see that; the missing word can. So the question is cut into *concepts* (a Chinese
word with its jieba pieces, or an English word with its Chinese translations), each weighted
by how specific it is in the corpus (IDF), and each credited when it occurs in the
*answer window*: the quoted sentence, its neighbours, and the passage's title and section.

Words that ask rather than name (多少, 哪些, 号码, "how many", "name") are down-weighted: an
answer states the value, it rarely repeats "号码".
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable, Container, Iterable, Sequence

from retrieval.text import normalize, squeeze

# Asking words and answer-type nouns: general Chinese, not tuned to any question set.
ASKING_PREFIXES_ZH = ("哪", "几", "多少", "什么", "怎么", "怎样", "如何", "为何", "是否", "多大", "多高", "多长", "多久", "谁")
PHRASING_WORDS_ZH = frozenset("""
多少 几 几个 哪 哪些 哪个 哪里 哪儿 什么 怎么 怎样 如何 为何 为什么 是否 多大 多久 多长 何时 何地
号码 名字 名称 长度 比例 数量 数目 数字 金额 数额 日期 时间 地点 地址 程度 幅度
打算 准备 计划要 想要 分别 具体 大约 大概 一共 总共 共计 请问 叫做 称为 属于 位于 处于 位置 情况
""".split())
PHRASING_WORDS_EN = frozenset("""
many much number numbers amount total size name names kind type sort way share percentage proportion
rate long big large length date time place location happen happened called known give get take set
""".split())
PHRASING_FACTOR = 0.25  # such a word still counts a little: "比例" can be quoted literally
NUMBER_FACTOR = 0.5     # a year or count may be written differently (2022年 / 今年)
# Questions paraphrase predicates (沿用 / 继续, "located" / 落户) far more than they rename
# things, so nouns weigh fully and verbs, adverbs, prepositions and pronouns weigh less.
NOMINAL_TAGS = ("n", "vn", "an", "s", "t", "j", "nz", "eng", "l", "i")
PREDICATE_FACTOR = 0.3
NUMERAL_FACTOR = 0.5    # 一批 / 首批 / 全年: partly a count, partly a time
NAME_TAGS = ("ns", "nr", "nt")  # jieba: place, person, organisation
# Chinese paraphrases often share characters (写字楼 / 楼宇, 上线 / 达线): a concept earns this
# share of credit per character of it present in the window, when no full form is there.
CHARACTER_FACTOR = 0.5
MIN_PIECE_CHARS = 2
UNMATCHED_ENGLISH_FACTOR = 0.3
_HAN = re.compile(r"[\u3400-\u9fff]")
WINDOW_RADIUS = 1       # sentences on each side of the quote


@dataclass(frozen=True)
class Concept:
    """One thing the question names, and the strings that show a text mentions it."""

    label: str
    forms: tuple[str, ...]  # normalised; any one found counts
    weight: float           # specificity; 0 means "no evidence either way"
    in_corpus: bool = True  # some form occurs somewhere in the corpus
    is_name: bool = False   # a place or organisation: 市北区 is not 市南区, however many characters they share


@dataclass(frozen=True)
class Evidence:
    coverage: float         # weighted share of concepts credited in the answer window, 0..1
    uncovered: float        # largest share of the total weight that one concept leaves uncovered, 0..1
    credits: tuple[tuple[str, float], ...]  # (label, credit) per concept, for explanations


def idf(document_frequency: int, documents: int) -> float:
    """BM25's IDF; a term the corpus lacks gets the IDF of a term seen once."""
    df = max(document_frequency, 1)
    return math.log(1 + (documents - df + 0.5) / (df + 0.5))


def is_phrasing(term: str) -> bool:
    term = term.lower()
    if term in PHRASING_WORDS_ZH or term in PHRASING_WORDS_EN:
        return True
    return bool(re.match(r"[\u3400-\u9fff]", term)) and term.startswith(ASKING_PREFIXES_ZH)


def _is_number(term: str) -> bool:
    return bool(re.fullmatch(r"[\d.%]+", term))


def role_factor(tag: str | None, in_corpus: bool = True) -> float:
    """How much a word of this part of speech (jieba tag) names what is asked."""
    if tag is None:
        # not in the general dictionary: a corpus term (纳统企业) or a segmentation scrap (率有)
        return 1.0 if in_corpus else PREDICATE_FACTOR
    if tag.startswith(NOMINAL_TAGS):
        return 1.0
    if tag.startswith("m"):
        return NUMERAL_FACTOR
    return PREDICATE_FACTOR


def _is_name_tag(tag: str | None) -> bool:
    return bool(tag) and tag.startswith(NAME_TAGS)


def _no_tag(term: str) -> str | None:
    return None


def chinese_concepts(
    own_terms: Iterable[str],
    document_frequency: Callable[[str], int],
    documents: int,
    in_corpus: Callable[[str], bool],
    part_of_speech: Callable[[str], str | None] = _no_tag,
) -> list[Concept]:
    """Concepts of a Chinese question from its search-mode tokens.

    jieba's search mode emits a compound and its pieces (西海岸新区, 西海岸, 海岸, 新区): the
    longest token is the concept, its pieces are alternative forms, so a text saying 新区
    earns part of the credit instead of the compound counting five times. Single Han
    characters name little and are left out; Latin words are left to the English side.
    `part_of_speech` gives a word's dictionary tag: nouns weigh fully, predicates less; a
    word no dictionary knows is a corpus term (纳统企业) when the corpus has it, else a
    segmentation scrap of the question (率有), which weighs little.
    """
    terms = [t for t in dict.fromkeys(own_terms) if t and not re.search(r"[a-z]", t)]
    terms = [t for t in terms if _is_number(t) or len(t) >= MIN_PIECE_CHARS]
    concepts = []
    for term in terms:
        if any(term != other and term in other for other in terms):
            continue  # a piece of a longer token: a form of that concept
        pieces = tuple(p for p in terms if p != term and p in term and len(p) >= MIN_PIECE_CHARS)
        # A compound jieba glued on the fly has no corpus frequency: its pieces have one.
        frequencies = [document_frequency(term)] + [document_frequency(p) for p in pieces]
        known = [f for f in frequencies if f > 0]
        weight = idf(min(known), documents) if known else idf(0, documents)
        present = in_corpus(term)
        if _is_number(term):
            weight *= NUMBER_FACTOR
        elif is_phrasing(term):
            weight *= PHRASING_FACTOR
        else:
            weight *= role_factor(part_of_speech(term), present)
        concepts.append(Concept(term, (term,) + pieces, weight, present, _is_name_tag(part_of_speech(term))))
    return concepts


def proper_names(question: str) -> frozenset[str]:
    """Folded words written with a capital inside a sentence (Paris, iPhone, COVID): names."""
    names = set()
    for sentence in re.split(r"[.!?。！？]\s*", question):
        for position, word in enumerate(re.findall(r"[A-Za-z][A-Za-z'-]*", sentence)):
            if any(char.isupper() for char in word[1:]) or (position > 0 and word[0].isupper()):
                names.add(word.lower().replace("'s", ""))
    return frozenset(names)


def english_concepts(
    explained: Iterable,
    document_frequency: Callable[[str], int],
    documents: int,
    part_of_speech: Callable[[str], str | None] = _no_tag,
    names: Container[str] = frozenset(),
) -> list[Concept]:
    """Concepts of an English question from `CrossLingualExpander.explain` entries.

    Forms are the word's Chinese corpus tokens of two characters or more (a lone 气 for
    "weather" would match 气象) plus the word itself when the corpus writes it in Latin
    letters (GDP). A word with no form at all is weak evidence of absence: the dictionary
    may not know it, or the corpus never mentions it. A name (`names`: Paris, Tokyo) that
    no corpus form matches weighs fully: the question is about something the corpus lacks.
    """
    concepts = []
    for term in explained:
        forms = tuple(normalize(c) for c in term.candidates if len(c) >= MIN_PIECE_CHARS)
        if document_frequency(term.text) > 0 and term.text not in forms and len(term.text) >= MIN_PIECE_CHARS:
            forms += (term.text,)
        if not forms:
            asking = any(is_phrasing(word) for word in term.text.split())
            factor = 1.0 if term.text in names else UNMATCHED_ENGLISH_FACTOR
            weight = 0.0 if _is_number(term.text) or asking else factor * idf(0, documents)
            concepts.append(Concept(term.text, (), weight, False, term.text in names))
            continue
        # The commonest translation decides how specific the word is (names: 崂山 is everywhere).
        weight = idf(max(document_frequency(form) for form in forms), documents)
        if _is_number(term.text):
            weight *= NUMBER_FACTOR
        elif any(is_phrasing(word) for word in term.text.split()):
            weight *= PHRASING_FACTOR
        else:
            # its best translation's part of speech: "signed" -> 签署 (a verb)
            weight *= role_factor(part_of_speech(forms[0]))
        concepts.append(Concept(term.text, forms, weight, True, term.text in names or _is_name_tag(part_of_speech(forms[0]))))
    return concepts


def windows(
    text: str,
    sentence_spans: Sequence[tuple[int, int]],
    context: Iterable[str | None] = (),
    radius: int = WINDOW_RADIUS,
) -> list[str]:
    """Every stretch of `radius` sentences either side of a sentence, squeezed, each with the
    context (title, section heading) that often carries the district or year."""
    extra = squeeze("".join(part for part in context if part))
    if not sentence_spans:
        return [squeeze(text) + extra]
    last = len(sentence_spans) - 1
    return [
        squeeze(text[sentence_spans[max(i - radius, 0)][0]: sentence_spans[min(i + radius, last)][1]]) + extra
        for i in range(len(sentence_spans))
    ]


def credit(concept: Concept, window: str, character_factor: float = CHARACTER_FACTOR) -> float:
    """1 when a full form is there; else the share of the concept's characters that pieces
    found in the window cover (西海岸新区 with only 新区 present: 0.4), or `character_factor`
    times the share of its Han characters found anywhere in the window, whichever is more."""
    if not concept.forms:
        return 0.0
    if concept.forms[0] in window:
        return 1.0
    label = concept.forms[0]
    covered = [False] * len(label)
    best = 0.0
    for form in concept.forms[1:]:
        if form not in window:
            continue
        if form in label:
            start = label.find(form)
            for i in range(start, start + len(form)):
                covered[i] = True
        else:
            best = 1.0  # another translation of an English word
    han = [] if concept.is_name else [char for char in label if "\u3400" <= char <= "\u9fff"]
    loose = character_factor * sum(char in window for char in han) / len(han) if han else 0.0
    return max(best, sum(covered) / len(label), loose)


def gather(concepts: Sequence[Concept], window: str) -> Evidence:
    """Coverage of the concepts in one window, and how much of the question the most
    important concept it lacks stands for (安家补贴 in a passage on talent subsidies)."""
    weighted = [(c, credit(c, window)) for c in concepts if c.weight > 0]
    total = sum(c.weight for c, _ in weighted)
    if not total:
        return Evidence(0.0, 0.0, ())
    found = sum(c.weight * share for c, share in weighted)
    uncovered = max(c.weight * (1 - share) for c, share in weighted) / total
    return Evidence(found / total, uncovered, tuple((c.label, round(share, 2)) for c, share in weighted))


def best_evidence(concepts: Sequence[Concept], candidate_windows: Iterable[str]) -> Evidence:
    """The window that covers the question best: where the answer most likely is, even when
    the quote picked a neighbouring sentence."""
    best = None
    for window in candidate_windows:
        evidence = gather(concepts, window)
        if best is None or evidence.coverage > best.coverage:
            best = evidence
    return best if best is not None else gather(concepts, "")


# A date answers "when" only for the event its clause names: "5月15日开工建设,……即将投入运营" dates the
# start of construction, not the opening a 哪天投入运营 question asks about. The clause is cut at
# commas; a clause holding little beside the date ("5月20日，国家虚拟现实创新中心揭牌") takes in the next.
_CLAUSE_BREAK = re.compile(r"[，,；;。！？!?]")
MIN_CLAUSE_HAN = 4
_NUMBER_OR_YEAR = re.compile(r"[\d.%年]+")


def answer_clause(text: str, start: int, end: int) -> str:
    """The clause of `text` around the answer `text[start:end]`, squeezed, with the next clause
    when the answer's own holds fewer than MIN_CLAUSE_HAN Han characters beside it."""
    first = max((match.end() for match in _CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    following = _CLAUSE_BREAK.search(text, end)
    last = following.start() if following else len(text)
    clause = text[first:last]
    if len(_HAN.findall(text[first:start] + text[end:last])) < MIN_CLAUSE_HAN and following:
        after = _CLAUSE_BREAK.search(text, following.end())
        clause += text[following.end(): after.start() if after else len(text)]
    return squeeze(clause)


def names_nothing_asked(concepts: Sequence[Concept], clause: str) -> bool:
    """Whether `clause` holds none of what the question asks about beside its names and numbers
    (its events and things: 投入运营, 拍卖成交): the answer there is about something else."""
    content = [c for c in concepts if c.weight > 0 and not c.is_name and not _NUMBER_OR_YEAR.fullmatch(c.label)]
    return bool(content) and max(credit(c, clause) for c in content) < 0.5
