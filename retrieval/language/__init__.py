"""Language resources: tokenizer and its jieba caches, word tags, English-Chinese dictionary, glossary and cross-lingual expansion."""
