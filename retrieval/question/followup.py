"""Resolving a chat follow-up against the previous question. Pure functions over a `Lexicon`.

A follow-up leaves out what it shares with the previous question: `那崂山区呢？` keeps the
period and the asked figure and changes the district; `2019年呢？` changes the year; `增速呢？`
asks another attribute of the same thing; `它在哪儿？` / "what was its theme?" points back
with a pronoun; "when did construction start?" asks without naming a subject. The rewrite
replaces the part that changed (place, year, part of a year, asked attribute) or adds it, and
replaces a pronoun with the previous question's subject, using only words of the previous
question and the message (plus joining particles such as 年 or "in"). A message that names
its own subject and asks something, or is long, is a new question and stays as it is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from retrieval.question.followup_words import (
    ASK_ZH, AUXILIARY_EN, CLASSIFIER, ENDS_WITH_NE, FUNCTION_EN, FUNCTION_ZH, LEADING_EN, LEADING_ZH,
    NOUNISH_TAGS, PART_EN, PART_ZH, POSSESSIVE, PRONOUN_EN, PRONOUN_ZH, TRAILING, WH_EN, YEAR_EN, YEAR_ZH,
    Lexicon, english_names_in, places_in,
)

LONG_ZH = 24  # characters: a message this long says enough to stand alone
LONG_EN = 12  # words
SHORT_ELLIPSIS = 12  # characters: an unmarked statement this short may still be a follow-up
_CJK = re.compile(r"[\u3400-\u9fff]")
_END = re.compile(r"[\s？?。.!！]*$")

STANDALONE, ELLIPSIS, QUESTION, PRONOUN = "standalone", "ellipsis", "question", "pronoun"


@dataclass(frozen=True)
class Resolution:
    question: str  # what to answer: the rewritten question, or the message as it was
    kind: str  # STANDALONE (not rewritten), ELLIPSIS (那X呢), QUESTION (asks without a subject), PRONOUN
    new_place: bool = False  # the message put a district or place in place of the previous one
    new_period: bool = False  # ... or a year or part of a year in place of the previous one

    @property
    def rewritten(self) -> bool:
        return self.kind != STANDALONE


@dataclass
class _Parts:
    """What a follow-up message brings: places, years, parts of a year, other content words."""

    places: list[str] = field(default_factory=list)
    years: list[str] = field(default_factory=list)  # as written: "2019年", "到2021年底", "2019"
    periods: list[str] = field(default_factory=list)  # 上半年, 前三季度, "first half"
    rest: str = ""  # the remaining content words: an attribute (增速, "target") or a question


def is_chinese(text: str) -> bool:
    return len(_CJK.findall(text)) >= len(re.findall(r"[A-Za-z]{2,}", text))


def resolve_followup(previous: Sequence[str], message: str, lexicon: Lexicon) -> Resolution:
    """`message` as a standalone question, given the conversation's previous resolved questions
    (oldest first); unchanged when there is none or when it is a complete question itself."""
    message = message.strip()
    prior = next((question.strip() for question in reversed(previous) if question and question.strip()), "")
    if not prior or not message:
        return Resolution(message, STANDALONE)
    core, marked = strip_connectives(message)
    if _is_long(message) or not core:
        return Resolution(message, STANDALONE)
    pronoun = PRONOUN_ZH.search(core) or PRONOUN_EN.search(core)
    asks = asks_something(core)
    if not marked and asks and names_own_subject(core, lexicon, pronoun):
        return Resolution(message, STANDALONE)
    if pronoun is not None:
        referent = subject_of(prior, lexicon, pronoun.groupdict().get("head"))
        if referent:
            return Resolution(_substitute(message, pronoun, referent), PRONOUN)
    parts = parts_of(core, lexicon)
    if asks and _content_beyond_asking(parts.rest):
        if not marked and names_own_subject(core, lexicon, None):
            return Resolution(message, STANDALONE)
        return Resolution(_ask_in_context(prior, message, core, parts, lexicon), QUESTION)
    if not (marked or parts.places or parts.years or parts.periods or len(core) <= 4):
        return Resolution(message, STANDALONE)
    if not marked and len(core) > SHORT_ELLIPSIS:
        return Resolution(message, STANDALONE)
    rewritten = _replace_periods(_replace_places(prior, parts.places, lexicon), parts.years, parts.periods)
    if parts.rest and not asks:
        rewritten = _add_attribute(rewritten, parts.rest, lexicon)
    if rewritten == prior and not (parts.places or parts.years or parts.periods):
        return Resolution(message, STANDALONE)
    return Resolution(rewritten, ELLIPSIS, new_place=bool(parts.places), new_period=bool(parts.years or parts.periods))


# ---------------------------------------------------------------- reading the message


def strip_connectives(message: str) -> tuple[str, bool]:
    """The message without a leading 那/"and"/"what about" and a trailing 呢 / question mark,
    and whether it had one of those follow-up markers."""
    text = message.strip()
    marked = bool(ENDS_WITH_NE.search(text))
    for leading in (LEADING_EN, LEADING_ZH):
        match = leading.match(text)
        if match and not re.match(r"那(?:里|儿|个|家|些|笔|座|项)", text):
            text, marked = text[match.end():], True
    return TRAILING.sub("", text).strip(), marked


def _is_long(message: str) -> bool:
    if is_chinese(message):
        return len(re.sub(r"\s", "", message)) >= LONG_ZH
    return len(re.findall(r"[\w'’\-]+", message)) >= LONG_EN


def asks_something(text: str) -> bool:
    if ASK_ZH.search(text):
        return True
    first = re.match(r"\s*([A-Za-z]+)", text)
    return bool(WH_EN.search(text)) or bool(first and first.group(1).lower() in AUXILIARY_EN)


def names_own_subject(text: str, lexicon: Lexicon, pronoun) -> bool:
    """A place, a proper name or domain term, a quoted name or a capitalised English name,
    outside any pronoun phrase."""
    if pronoun is not None:
        text = text[: pronoun.start()] + " " + text[pronoun.end():]
    if re.search(r"[“\"《「][^”\"》」]{2,}[”\"》」]", text) or english_names_in(text):
        return True
    return any(lexicon.is_name(word) or lexicon.is_place(word) for word, _ in lexicon.words(text))


def parts_of(core: str, lexicon: Lexicon) -> _Parts:
    parts = _Parts()
    text = core
    for pattern, into in ((YEAR_ZH, parts.years), (YEAR_EN, parts.years), (PART_ZH, parts.periods), (PART_EN, parts.periods)):
        for match in pattern.finditer(text):
            into.append(match.group().strip())
        text = pattern.sub(" ", text)
    for _, _, word in places_in(text, lexicon):
        parts.places.append(word)
    names = english_names_in(" " + text)
    alone = len(names) == 1 and not re.sub(r"['’]s|的|\s", "", text.replace(names[0][2], "", 1))
    if not parts.places and alone and not names[0][2].isupper() and not asks_something(text):
        parts.places.append(POSSESSIVE.sub("", names[0][2]))  # an unknown name in "what about X?"
    for place in parts.places:
        text = text.replace(place, " ", 1)
    words = [word for word, _ in lexicon.words(POSSESSIVE.sub("", text.strip()))]
    content = [w for w in words if w.lower() not in FUNCTION_EN and w not in FUNCTION_ZH and re.search(r"\w", w)]
    joiner = "" if is_chinese(core) else " "
    parts.rest = joiner.join(content)
    return parts


def _content_beyond_asking(rest: str) -> bool:
    """Whether a question says more than its asking words (多少 / "how many" alone do not)."""
    leftover = WH_EN.sub(" ", ASK_ZH.sub(" ", rest))
    leftover = " ".join(w for w in leftover.split() if w.lower() not in AUXILIARY_EN)
    return bool(re.search(r"\w", leftover))


# ---------------------------------------------------------------- rewriting the previous question


def join(*pieces: str) -> str:
    """Pieces joined, with a space only where two Latin letters or digits would touch."""
    text = ""
    for piece in pieces:
        if text and piece and re.match(r"[A-Za-z0-9]", piece[0]) and re.match(r"[A-Za-z0-9]", text[-1]) and (
            piece[0].isalpha() or text[-1].isalpha()
        ):
            text += " "
        text += piece
    return text


def _replace_places(prior: str, places: list[str], lexicon: Lexicon) -> str:
    if not places:
        return prior
    new = places[0]
    old = places_in(prior, lexicon)
    if not old:
        return join(new, prior) if is_chinese(prior) else f"{_END.sub('', prior)} in {new}?"
    if is_chinese(prior) and new.isascii():
        # "Laoshan呢?" after a Chinese question: the corpus's own spelling, with the suffix the
        # replaced place has (即墨区 -> 崂山区), so the question names the district as documents do
        spellings = lexicon.chinese_spellings(new)
        suffix = old[0][2][-1:]
        new = next((s for s in spellings if s.endswith(suffix)), spellings[0] if spellings else new)
    same_suffix = [span for span in old if span[2][-1:] == new[-1:]]
    domain = [span for span in old if span[2] in lexicon.domain_words]
    start, end, _ = (same_suffix or domain or old)[0]
    return join(prior[:start], new, prior[end:])


def _replace_periods(prior: str, years: list[str], periods: list[str]) -> str:
    text = prior
    year_pattern = YEAR_ZH if is_chinese(prior) else YEAR_EN
    if years:
        new = years[0]
        digits = re.search(r"\d{4}", new).group()
        match = year_pattern.search(text)
        if match:
            bare = new == digits  # "2019" / "what about 2021?": keep the previous wording around it
            replacement = text[match.start():match.start(1)] + digits + text[match.end(1):match.end()] if bare else new
            if bare or is_chinese(prior):
                text = text[:match.start()] + replacement + text[match.end():]
            else:
                text = text[:match.start(1)] + digits + text[match.end(1):]
        elif is_chinese(prior):
            text = join(new if not new.isdigit() else new + "年", text)
        else:
            text = f"{_END.sub('', text)} in {digits}?"
    if periods:
        new = periods[0]
        match = PART_ZH.search(text) or PART_EN.search(text)
        if match:
            text = text[:match.start()] + new + text[match.end():]
        else:
            year = (YEAR_ZH if is_chinese(text) else YEAR_EN).search(text)
            if year and is_chinese(text):
                text = text[:year.end()] + new + text[year.end():]
            elif is_chinese(text):
                text = new + text
            else:
                text = f"{_END.sub('', text)} ({new})?"
    return text


def _add_attribute(prior: str, attribute: str, lexicon: Lexicon) -> str:
    """Another attribute of the same thing: it replaces the noun counted after 多少/几 (多少租金 ->
    多少税费) or goes before the asking word (GDP多少 -> GDP增速多少); in English it is added."""
    if not is_chinese(prior):
        return f"{_END.sub('', prior)} {attribute}?"
    ask = ASK_ZH.search(prior)
    if ask is None:
        end = _END.search(prior).start()
        return join(prior[:end], attribute, prior[end:])
    after = prior[ask.end():]
    classifier = CLASSIFIER.match(after)
    counted_from = ask.end() + (classifier.end() if classifier else 0)
    tail = re.match(r"[^，,。？?！!；;]*", prior[counted_from:]).group()
    words = lexicon.words(tail) if tail else []
    if words and all(tag in NOUNISH_TAGS and tag not in ("uj", "m") for _, tag in words):
        return join(prior[:counted_from], attribute, prior[counted_from + len(tail):])
    return join(prior[:ask.start()], attribute, prior[ask.start():])


def _ask_in_context(prior: str, message: str, core: str, parts: _Parts, lexicon: Lexicon) -> str:
    """A question without a subject: the previous question's context in front of it."""
    question = message.strip()
    leading = LEADING_EN.match(question) or (None if re.match(r"那(?:里|儿|个|家)", question) else LEADING_ZH.match(question))
    if leading:
        question = question[leading.end():]
    if not is_chinese(prior):
        same_wh = _same_count_question(prior, core)
        if same_wh:
            return same_wh
        subject = subject_of(prior, lexicon, None)
        return f"{subject}: {question}" if subject else f"{_END.sub('', prior)}; {question}"
    ask = ASK_ZH.search(prior)
    context = prior[:ask.start()] if ask and ask.start() >= 4 else (ASK_ZH.sub("", prior) if ask else prior)
    context = _END.sub("", context)
    if parts.years:
        context = YEAR_ZH.sub("", context)
    if parts.periods:
        context = PART_ZH.sub("", context)
    if parts.places:
        for start, end, _ in reversed(places_in(context, lexicon)):
            context = context[:start] + context[end:]
    context = re.sub(r"[了的是在有]+$", "", context.strip())
    joiner = "，" if is_chinese(question) else ": "
    return f"{context}{joiner}{question}" if context else question


def _same_count_question(prior: str, core: str) -> str | None:
    """"How many X did …?" then "and how many Y?": Y takes X's place in the previous question."""
    asked, before = WH_EN.match(core.strip()), WH_EN.match(prior.strip())
    if not asked or not before or asked.group(1).lower() != before.group(1).lower() or " " not in asked.group(1):
        return None
    new_noun = core.strip()[asked.end():].strip()
    words = list(re.finditer(r"[\w'’\-]+", prior[before.end():]))
    for match in words:
        word = match.group().lower()
        if word in AUXILIARY_EN or (word.endswith("ed") and len(word) > 4 and "-" not in word):
            start = before.end() + match.start()
            return f"{prior[:before.end()]} {new_noun} {prior[start:]}" if new_noun else None
    return None


# ---------------------------------------------------------------- pronouns


def subject_of(question: str, lexicon: Lexicon, head: str | None) -> str:
    """What a pronoun in the next message refers to: with a head noun ("that company", 该项目)
    and a which-question about such a thing, the description it asked about; otherwise the
    question's main named entity (its leading noun phrase; in English its longest capitalised name)."""
    if not is_chinese(question):
        if head:
            which = re.search(rf"\b(?:which|what)\s+((?:[\w\-]+\s+){{0,3}}?{head}s?)\b\s*(.*?)[\s?？.]*$", question, re.IGNORECASE)
            if which:
                return f"the {which.group(1)} that {which.group(2)}".strip()
        return _longest_english_name(question)
    if head and head not in question:  # 这笔钱 after a question about a sum: the whole context
        context = _END.sub("", ASK_ZH.sub("", question))
        return re.sub(r"[了的是在有]+$", "", context)
    return _leading_noun_phrase(question, lexicon) or ""


def _longest_english_name(question: str) -> str:
    runs = re.finditer(r"(?:\b\d{4}\s+)?(?:[A-Z][\w\-]*)(?:\s+(?:[A-Z][\w\-]*|of|and|for)(?=\s+[A-Z]|$|[\s?.,]))*", question)
    best = ""
    for run in runs:
        text = re.sub(r"\s+(?:of|and|for)$", "", run.group().strip())
        if run.start() == 0 or text.split()[0].lower() in FUNCTION_EN | {"which", "who", "when", "where", "how", "why"}:
            words = text.split()[1:]
            text = " ".join(words)
        if len(text.split()) > len(best.split()) or (len(text.split()) == len(best.split()) and len(text) > len(best)):
            best = text
    return POSSESSIVE.sub("", best)


def _leading_noun_phrase(question: str, lexicon: Lexicon) -> str:
    """The noun phrase the question starts with (after any period words), e.g. the park in
    青岛国际人力资源服务产业园哪一年开始运营; failing that, its longest noun phrase."""
    text = PART_ZH.sub("", YEAR_ZH.sub("", question)) if YEAR_ZH.match(question) or PART_ZH.match(question) else question
    runs, current = [], []
    for word, tag in lexicon.words(text):
        stop = ASK_ZH.match(word) or word in FUNCTION_ZH - {"的"} or tag not in NOUNISH_TAGS or re.fullmatch(r"[，,。？?！!；;]", word)
        if stop:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((word, tag))
    if current:
        runs.append(current)
    runs = [_trim(run) for run in runs]
    runs = [run for run in runs if run]
    if not runs:
        return ""
    first = "".join(runs[0])
    if len(runs[0]) > 1 or len(first) >= 4:
        return first
    return "".join(max(runs, key=lambda run: len("".join(run))))


def _trim(run: list[tuple[str, str]]) -> list[str]:
    while run and (run[-1][0] == "的" or run[-1][1] == "vn"):
        run = run[:-1]
    while run and run[0][0] == "的":
        run = run[1:]
    return [word for word, _ in run]


def _substitute(message: str, pronoun: re.Match, referent: str) -> str:
    """The message, from where its core starts (a leading "and" / 那 dropped), with the
    pronoun replaced by the referent."""
    core = pronoun.string
    start = max(message.find(core), 0)
    text = message[start:]
    replacement = referent + ("'s" if pronoun.group().lower() in ("its", "their") else "")
    return text[: pronoun.start()] + replacement + text[pronoun.end():]
