"""Question understanding: normalisation, the query plan, what kind of answer is asked for."""
