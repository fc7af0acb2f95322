"""`akhbar quotes ...` commands (filled in by the quotes work)."""


def register(subparsers) -> None:
    """Add the `quotes` command group to the akhbar parser."""
