"""A hand-kept English -> Chinese glossary of the domain's standard renderings.

Dictionaries translate words; Chinese government and investment texts have fixed English
renderings that no word-by-word translation finds ("above designated size" is 规模以上,
"Fortune Global 500" is 世界500强). The glossary is a plain text file, one entry a line:

    english phrase|another english phrase<TAB>中文|另一个中文

Chinese forms come preferred first. `#` starts a comment line. English phrases are reduced
to the same content-word keys as dictionary glosses (`cedict.content_words`), so "one-stop
service" and "one stop services" meet; the expander keeps only the Chinese forms the corpus
uses, so the file is a general resource, not a description of one corpus.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

from retrieval.language.cedict import content_words
from retrieval.text import normalize

GLOSSARY_PATH = Path(__file__).parent.parent / "data" / "glossary_en_zh.tsv"


def parse_glossary(text: str, source: str = "glossary") -> dict[str, tuple[str, ...]]:
    """English key -> Chinese forms, preferred first. Raises ValueError naming the bad line.

    A key listed twice keeps the forms of both lines, the earlier line's first.
    """
    glossary: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        english, tab, chinese = line.partition("\t")
        forms = [normalize(form.strip()) for form in chinese.split("|") if form.strip()]
        keys = [" ".join(content_words(phrase)) for phrase in english.split("|")]
        if not tab or "\t" in chinese or not forms or not all(keys):
            raise ValueError(f"{source} line {number}: expected 'english phrase<TAB>中文|中文', got {line!r}")
        for key in keys:
            known = glossary.setdefault(key, [])
            known += [form for form in forms if form not in known]
    return {key: tuple(forms) for key, forms in glossary.items()}


def load_glossary(path: Path | None = None) -> Mapping[str, tuple[str, ...]]:
    """The glossary shipped with the package, or the one at `path`."""
    path = Path(path or GLOSSARY_PATH)
    return parse_glossary(path.read_text("utf-8"), source=path.name)
