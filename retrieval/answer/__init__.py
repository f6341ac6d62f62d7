"""Answer judgement: which sentence answers (quotes), how well the words back it (evidence), whether to answer at all (abstention)."""
