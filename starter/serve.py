"""Placeholder: `lov serve` (being written)."""


def serve() -> None:
    """Kör tjänsten (placeholder)."""
