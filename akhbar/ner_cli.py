"""`akhbar ner ...` commands (filled in by the ner work)."""


def register(subparsers) -> None:
    """Add the `ner` command group to the akhbar parser."""
