"""akhbar (أخبار): Arabic news files to a DuckDB warehouse of articles, sentences, entities and quotes."""

__version__ = "0.1.0"
