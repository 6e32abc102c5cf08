"""The bulk service's token, held so that it cannot be printed by accident.

The token comes from ``TENDERSCAN_EIS_TOKEN`` only: it is never an argument, never stored, never in an
error message, a log line, a repr or a traceback. :class:`Token` shows itself as ``Token(***)`` whatever
prints it (repr, str, format, a traceback's locals), refuses to be pickled (worker processes, caches), and
hands its value out only through :meth:`Token.reveal`, which the request builders call at the moment they
write a header. Text that comes back from the service (a fault string may echo what it was sent) goes
through :meth:`Token.scrub` before it reaches an error.
"""

from __future__ import annotations

import os

from ..errors import TokenError

TOKEN_ENV = "TENDERSCAN_EIS_TOKEN"
MASK = "***"


class Token:
    """A secret string: masked everywhere, revealed only to build a request."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        text = (value or "").strip()
        if not text:
            raise TokenError(f"{TOKEN_ENV} is empty")
        if any(ord(c) < 0x21 or ord(c) == 0x7F for c in text) or not text.isascii():
            # the message never quotes the value: it is the secret
            raise TokenError(f"{TOKEN_ENV} holds characters an HTTP header cannot carry (spaces, line breaks "
                             "or non-ASCII letters)",
                             hint="copy the token again from the EIS personal account, without quotes")
        object.__setattr__(self, "_value", text)

    @classmethod
    def from_env(cls) -> Token:
        value = os.environ.get(TOKEN_ENV)
        if value is None or not value.strip():
            raise TokenError(f"no token for the portal's bulk service: {TOKEN_ENV} is not set")
        return cls(value)

    def reveal(self) -> str:
        """The value, to write into a request header. Never keep it, never print it."""
        return self._value

    def scrub(self, text: str | None) -> str:
        """``text`` with every occurrence of the token replaced by ``***``."""
        if not text:
            return text or ""
        return text.replace(self._value, MASK)

    def __repr__(self) -> str:
        return f"Token({MASK})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __setattr__(self, name, value):
        raise AttributeError("a Token cannot be changed")

    def __reduce__(self):
        raise TypeError("a Token cannot be pickled: give the child process TENDERSCAN_EIS_TOKEN instead")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Token) and other._value == self._value

    def __hash__(self) -> int:
        return hash((Token, self._value))
