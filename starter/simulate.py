"""Placeholder: `lov simulate` (being written)."""


def simulate() -> None:
    """Simulera ett scenario (placeholder)."""
