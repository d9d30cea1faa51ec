"""`ActionError`: bad input to the application layer, naming the field. Nothing was changed.

Its own module (re-exported by services.calls) so that a read-only query of the records can
refuse bad input without loading the Temporal client.
"""

from __future__ import annotations


class ActionError(ValueError):
    """Bad input: `field` names what was wrong. Nothing was changed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
