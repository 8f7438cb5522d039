"""Why the desk refuses to open, resume or advance a case (each a clear, expected error)."""

from __future__ import annotations

from rules.errors import InvalidInput, UnknownIdError


class PackVersionError(InvalidInput):
    """The packs changed since the case's session started (resume refuses by default)."""


class ClosedCase(InvalidInput):
    """A resolved or unresolved case cannot be resumed."""


class NoGuidedKnowledge(UnknownIdError):
    """The case waits at a line with no pack for its complaint: worked by hand there."""
