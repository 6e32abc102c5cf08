"""The one way from SOURCE arguments to tenders: :func:`read` -> :class:`Batch`.

Every command that reads documents (`show`, `export`, `spending`, `diff`, `stations`) calls :func:`read` and
iterates the batch: tenders come one at a time (a package of any size is streamed), a bad input becomes a
:class:`Failure` in ``batch.failures`` and the batch goes on with the next one. :class:`Failure` is the one
failure record of every command (ingest and fetch report theirs with it too).
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import BinaryIO, Iterable, Iterator

from ..errors import TenderscanError, UnsafeInputError
from ..models import Tender
from .inputs import Input, Resolver, iter_inputs
from .parse import parse_input


@dataclass(frozen=True)
class ReadOptions:
    """How inputs are read: a forced format, an encoding override, preferred languages, station search."""

    input_format: str | None = None
    encoding: str | None = None
    languages: tuple[str, ...] = ("en",)
    stations: bool = True


@dataclass
class Failure:
    """An input that could not be read (or a document that could not be fetched): where, the one-line
    message, its exit code, and the traceback for --debug."""

    name: str  # the input's name: path, path!member, URL, ID
    message: str
    exit_code: int = 3
    detail: str | None = None  # the traceback, shown with --debug
    error: TenderscanError | None = field(default=None, repr=False, compare=False)  # in this process only

    @classmethod
    def of(cls, name: str, exc: TenderscanError) -> "Failure":
        if exc.source is None:
            exc.source = name
        return cls(name, exc.one_line(), exc.exit_code, _traceback(exc), exc)


def _traceback(exc: BaseException) -> str:
    exc.__suppress_context__ = False
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


@dataclass
class Document:
    """One input read: its tenders (a list, or a one-shot iterator for a streamed input, from which an error
    found midway is raised, named with the input), or the error that stopped it."""

    input: Input
    tenders: Iterable[Tender] = ()
    error: TenderscanError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def read_input(inp: Input, options: ReadOptions | None = None) -> Document:
    """Read one input; never raises for a bad one (its error is in the document)."""
    o = options or ReadOptions()
    try:
        tenders = parse_input(inp, input_format=o.input_format, encoding=o.encoding, languages=o.languages,
                              stations=o.stations, lazy=True)
        if not isinstance(tenders, list):  # streamed: what fails before the first tender fails the input here
            tenders = _primed(iter(tenders), inp.name)
        return Document(inp, tenders)
    except TenderscanError as exc:
        return Document(inp, error=_named(exc, inp.name))
    except RecursionError:
        return Document(inp, error=UnsafeInputError("document nested too deeply; refused", source=inp.name))
    except MemoryError:
        return Document(inp, error=UnsafeInputError("document too large to read into memory", source=inp.name))


def _named(exc: TenderscanError, name: str) -> TenderscanError:
    if exc.source is None:
        exc.source = name
    return exc


def _primed(it: Iterator[Tender], name: str) -> Iterable[Tender]:
    try:
        first = next(it)
    except StopIteration:
        return []
    return _rest(first, it, name)


def _rest(first: Tender, it: Iterator[Tender], name: str) -> Iterator[Tender]:
    yield first
    try:
        yield from it
    except TenderscanError as exc:
        raise _named(exc, name)


@dataclass
class Batch:
    """Tenders read lazily from inputs. Iterate it (or :meth:`documents`) once; ``failures`` and ``inputs``
    fill as it goes: an input that fails is a :class:`Failure` and the batch goes on, and one that fails
    midway (a package cut short) keeps the tenders read before."""

    source: Iterable[Input]
    options: ReadOptions = field(default_factory=ReadOptions)
    failures: list[Failure] = field(default_factory=list)
    inputs: int = 0  # inputs read so far

    def documents(self) -> Iterator[Document]:
        """The documents read, each input's tenders failing into ``failures`` instead of raising."""
        for inp in self.source:
            self.inputs += 1
            doc = read_input(inp, self.options)
            if doc.error is not None:
                self.failures.append(Failure.of(inp.name, doc.error))
                continue
            if not isinstance(doc.tenders, list):
                doc.tenders = self._caught(inp.name, doc.tenders)
            yield doc

    def __iter__(self) -> Iterator[Tender]:
        for doc in self.documents():
            yield from doc.tenders

    def _caught(self, name: str, tenders: Iterable[Tender]) -> Iterator[Tender]:
        try:
            yield from tenders
        except TenderscanError as exc:
            self.failures.append(Failure.of(name, exc))


def read(sources: list[str], *, resolver: Resolver | None = None, options: ReadOptions | None = None,
         stdin: BinaryIO | None = None) -> Batch:
    """Read SOURCEs (files, folders, zip archives, `-`, stored IDs through ``resolver``): never raises for a
    bad input, which becomes a :class:`Failure` of the batch."""
    return Batch(iter_inputs(sources, stdin=stdin, resolver=resolver), options or ReadOptions())
