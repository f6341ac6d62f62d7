"""Question clean-up and alternative number spellings for the keyword side.

`normalize_query` folds surface differences that carry no meaning (full/half width,
traditional/simplified characters, stray control characters, runs of whitespace).
`number_variants` proposes *extra* keyword terms for numbers, because a question may write
八百万 where the document writes 800万 (or the other way round). Variants are additions to
the query, never replacements, so a variant that fails to match costs little; still, we only
convert numerals that are clearly quantities (followed by a unit or written with a
multiplier) so words like 一季度, 第一, 统一 or 万人 are left alone.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from retrieval.text import fold

_KEEP_WHITESPACE = {"\t", "\n", "\r", " "}
_WHITESPACE_RUN = re.compile(r"\s+")

_DIGIT_VALUES = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
                 "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10**4, "亿": 10**8}
_DIGIT_NAMES = "零一二三四五六七八九"

# Measure words and currency units after which a numeral is a quantity. Longest first
# so 万元 wins over 万.
_MEASURE_WORDS = sorted(
    """个 家 座 项 元 万元 亿元 美元 天 名 人 次 场 份 所 条 件 栋 户 块 台 套 辆 平方米 平方公里 亩
    公里 米 吨 千瓦 千米 倍 批 类 位 支 只 届 期 年 月 日 号 周 小时 分钟 层 处 间 张 本 篇 部 款 种""".split(),
    key=len,
    reverse=True,
)
_MEASURE = "|".join(map(re.escape, _MEASURE_WORDS))
_CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万亿"
_CN_DECIMAL = rf"(?:点[零〇一二三四五六七八九]+)?"

# A Chinese numeral: must start with a digit or 十; not preceded by 第 (ordinals) or by
# another numeral character (we want whole runs).
_CN_PERCENT = re.compile(rf"百分之([{_CN_NUMERAL_CHARS}]+{_CN_DECIMAL})")
_CN_QUANTITY = re.compile(
    rf"(?<![第{_CN_NUMERAL_CHARS}])([零〇一二两三四五六七八九十][{_CN_NUMERAL_CHARS}]*{_CN_DECIMAL})({_MEASURE})?"
)
_ARABIC_PERCENT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*%")
_ARABIC_QUANTITY = re.compile(rf"(?<![\d.])(\d+(?:\.\d+)?)(万|亿)?({_MEASURE})?")


def normalize_query(text: str) -> str:
    """Folded like the documents (text.fold: width, simplified Chinese), single-spaced,
    without control characters. Case is kept: the embedder sees this text."""
    text = "".join(
        char for char in unicodedata.normalize("NFKC", text)
        if char in _KEEP_WHITESPACE or unicodedata.category(char) not in ("Cc", "Cf", "Co", "Cs")
    )
    return _WHITESPACE_RUN.sub(" ", fold(text)).strip()


def chinese_to_number(numeral: str) -> Decimal | None:
    """Value of a Chinese numeral (三千五百万 -> 35000000, 三点五 -> 3.5), None if malformed."""
    integer_part, _, decimal_part = numeral.partition("点")
    if not integer_part:
        return None
    total = 0        # finished groups of 亿 and 万
    section = 0      # the part below the current 万/亿
    digit = None     # a digit waiting for its unit
    previous = ""
    for char in integer_part:
        if char in _DIGIT_VALUES:
            if previous in _DIGIT_VALUES:  # two digits in a row: 二〇二二 style, read positionally
                return _positional(integer_part)
            if not _DIGIT_VALUES[char]:    # 零 after a unit (一百零五) only marks a gap
                previous = ""
                continue
            digit = _DIGIT_VALUES[char]
        elif char in _SMALL_UNITS:
            section += (1 if digit is None else digit) * _SMALL_UNITS[char]
            digit = None
        elif char in _BIG_UNITS:
            section += digit or 0
            digit = None
            if section == 0 and total == 0:
                return None            # a bare 万 is no number
            unit = _BIG_UNITS[char]
            total = (total + section) * unit if unit > 10**4 else total + section * unit
            section = 0
        else:
            return None
        previous = char
    value = Decimal(total + section + (digit or 0))
    if decimal_part:
        if any(char not in _DIGIT_VALUES for char in decimal_part):
            return None
        value += Decimal("0." + "".join(str(_DIGIT_VALUES[c]) for c in decimal_part))
    return value


def _positional(digits: str) -> Decimal | None:
    if any(char not in _DIGIT_VALUES for char in digits):
        return None
    return Decimal("".join(str(_DIGIT_VALUES[c]) for c in digits))


def number_to_chinese(value: int) -> str:
    """Chinese reading of a whole number below 10^12 (800 -> 八百, 13 -> 十三, 105 -> 一百零五)."""
    if value == 0:
        return "零"
    groups = ((value // 10**8, "亿"), (value // 10**4 % 10**4, "万"), (value % 10**4, ""))
    out = ""
    zero_pending = False
    for group, unit_name in groups:
        if not group:
            zero_pending = bool(out)
            continue
        if out and (zero_pending or group < 1000):
            out += "零"
        out += _four_digits(group) + unit_name
        zero_pending = False
    return out[1:] if out.startswith("一十") else out


def _four_digits(value: int) -> str:
    out = []
    zero_pending = False
    for unit_name, unit in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        digit, value = divmod(value, unit)
        if digit:
            if zero_pending and out:
                out.append("零")
            out.append(_DIGIT_NAMES[digit] + unit_name)
            zero_pending = False
        else:
            zero_pending = True
    return "".join(out)


def _format_decimal(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _in_unit(value: Decimal, numeral: str) -> str:
    """Digits the way documents write them, in the numeral's largest 万/亿 (八百万 -> 800万)."""
    for unit_name in ("亿", "万"):
        in_unit = value / _BIG_UNITS[unit_name]
        if unit_name in numeral and -in_unit.normalize().as_tuple().exponent <= 2:
            return _format_decimal(in_unit) + unit_name
    return _format_decimal(value)


def _is_quantity(numeral: str, measure: str | None) -> bool:
    if measure:
        return numeral != "一"          # 一个/一家/一年 are mostly "a", not the number 1
    # Without a measure word only a numeral with a multiplier reads as a quantity
    # (八百万, 十三); a bare digit run is too often part of a word (统一, 一流).
    return len(numeral) >= 2 and any(char in "十百千万亿" for char in numeral)


def _chinese_variants(text: str) -> list[str]:
    variants = []
    for match in _CN_PERCENT.finditer(text):
        value = chinese_to_number(match.group(1))
        if value is not None:
            variants.append(_format_decimal(value) + "%")
    percent_spans = [match.span() for match in _CN_PERCENT.finditer(text)]
    for match in _CN_QUANTITY.finditer(text):
        if any(start <= match.start() < end for start, end in percent_spans):
            continue
        numeral, measure = match.group(1), match.group(2)
        if not _is_quantity(numeral, measure):
            continue
        value = chinese_to_number(numeral)
        if value is None:
            continue
        variants.append(_in_unit(value, numeral) + (measure or ""))
    return variants


def _arabic_variants(text: str) -> list[str]:
    variants = []
    for match in _ARABIC_PERCENT.finditer(text):
        number = match.group(1)
        if "." not in number and int(number) < 10**4:
            variants.append("百分之" + number_to_chinese(int(number)))
    for match in _ARABIC_QUANTITY.finditer(text):
        number, big_unit, measure = match.groups()
        if not (big_unit or measure) or "." in number or int(number) >= 10**8:
            continue
        if measure in ("年", "月", "日", "号") and int(number) >= 100:
            continue  # dates are written in digits; 二千零二十年 would match nothing
        variants.append(number_to_chinese(int(number)) + (big_unit or "") + (measure or ""))
    return variants


def number_variants(text: str) -> list[str]:
    """Other spellings of the quantities in `text` (八百万 -> 800万, 50% -> 百分之五十).

    Returns each variant once, in order of appearance, never a string already in `text`.
    """
    seen: dict[str, None] = {}
    for variant in _chinese_variants(text) + _arabic_variants(text):
        if variant not in text:
            seen.setdefault(variant)
    return list(seen)
