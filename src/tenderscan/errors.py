"""Typed errors. Each carries an exit code and a one-line message that says what to do next.

Exit codes (stable; scripts rely on them):

    0  success
    1  a batch finished but some inputs failed (each is listed on stderr); `diff --exit-code` found changes
    2  usage error (bad option or argument)
    3  input could not be read as a tender (ParseError, UnsafeInputError, UnknownFormatError)
    4  not found (NotFoundError): the portal or the store has no such document
    5  network failure (FetchError): timeout, connection refused, server errors after retries
    6  blocked (BlockedError): the portal answered with a captcha / WAF page or refused us
    7  store problem (StoreError): also no store at the given or default location (NoStoreError)
    8  missing data needed for a computation (e.g. an exchange rate: RateError)
"""

from __future__ import annotations


class TenderscanError(Exception):
    exit_code = 3
    hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None, source: str | None = None):
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint
        self.source = source

    def one_line(self) -> str:
        """The message as printed: `source: message; hint` on a single line."""
        text = self.message
        if self.source and self.source not in text:  # "no documents found in PATH" names it already
            text = f"{self.source}: {text}"
        if self.hint:
            text = f"{text}; {self.hint}"
        return " ".join(text.split())


class ParseError(TenderscanError):
    """The input is not a document we can read (broken, truncated, wrong encoding, unknown structure)."""

    exit_code = 3


class UnknownFormatError(ParseError):
    hint = "run `tenderscan formats` for what is supported, or force one with --input-format"


class UnsafeInputError(ParseError):
    """Hostile input refused before it could do harm: entity bombs, external entities, zip bombs."""

    exit_code = 3


class NotFoundError(TenderscanError):
    exit_code = 4


class FetchError(TenderscanError):
    exit_code = 5


class BlockedError(FetchError):
    exit_code = 6
    hint = "the portal refused this client; wait and retry later, lower --rate, or set TENDERSCAN_USER_AGENT"


class StoreError(TenderscanError):
    exit_code = 7


class NoStoreError(StoreError):
    """A command that only reads was pointed at a store that does not exist (it is never created for it)."""

    exit_code = 7


class RateError(TenderscanError):
    exit_code = 8


class UsageError(TenderscanError):
    exit_code = 2
