"""`export --table ocds`: the documents as one OCDS 1.1 release package, in a JSON file or on standard output.

The same safety as the other tables (:mod:`.tables`): the options and the target are checked before any
input is read, the file is written to a temporary beside the target and renamed once complete, nothing is
created or replaced when no input could be read (or, with ``strict``, when any failed). A package needs
every document of a process at once (:func:`.ocds.export_ocds`), so the documents are read into memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable

from ...documents.batch import Failure, ReadOptions, read
from ...documents.redact import redacted
from ...errors import NotFoundError, UsageError
from ...models import Tender
from ...store import Store
from ...store.refs import StoreResolver
from .ocds import OcdsOptions, Skipped, export_ocds
from .tables import is_stdout
from .target import atomic_path, check_target

NOT_FOR_OCDS = {"--format": "format", "--excel": "excel", "--delimiter": "delimiter",
                "--partition-by": "partition_by"}


@dataclass
class OcdsFileResult:
    path: Path
    releases: int = 0
    processes: int = 0
    skipped: list[Skipped] = field(default_factory=list)  # documents left out of the package, and why
    failures: list[Failure] = field(default_factory=list)
    inputs: int = 0
    written: bool = True  # False: the target was not created or replaced (see `reason`)
    reason: str | None = None


def check_ocds_options(path: Path | str, prefix: str | None = None, **others: object) -> None:
    """What can be wrong before reading: an option of the other tables, a file that is not ``.json``, an
    empty prefix, a target that is a folder (``force`` replaces it)."""
    given = [opt for opt, key in NOT_FOR_OCDS.items() if others.get(key)]
    if given:
        verb = "does" if len(given) == 1 else "do"
        raise UsageError(f"--table ocds writes an OCDS release package (JSON): {', '.join(given)} {verb} not "
                         "apply", hint="drop " + ("it" if len(given) == 1 else "them"))
    if prefix is not None and (not prefix.strip() or any(c.isspace() for c in prefix)):
        raise UsageError(f"--ocid-prefix {prefix!r} is not a prefix", hint="e.g. --ocid-prefix ocds-a1b2c3-")
    if is_stdout(path):
        return
    if Path(path).suffix.lower() != ".json":
        raise UsageError(f"--table ocds writes JSON, and {Path(path).name!r} is not a .json file",
                         hint="name the file .json, or give -o - for standard output")
    check_target(Path(path), folder=False, force=bool(others.get("force")))


def export_ocds_sources(sources: list[str], path: Path | str, *, store: Path | None = None,
                        input_format: str | None = None, encoding: str | None = None, all_versions: bool = False,
                        redact_contacts: bool = False, strict: bool = False, force: bool = False,
                        prefix: str | None = None, stream: IO[str] | None = None) -> OcdsFileResult:
    """SOURCEs (or, with none, the store: the latest version of each document unless ``all_versions``) as
    one OCDS release package at ``path`` (``-``: to ``stream``)."""
    check_ocds_options(path, prefix, force=force)
    result = OcdsFileResult(Path(path))
    if not sources:
        with Store.open(store) as st:
            tenders = list(st.iter_tenders(latest=not all_versions))
        if not tenders:
            raise NotFoundError(f"no documents in the store at {st.path}", hint="load some with `tenderscan "
                                "ingest PATH` or `tenderscan fetch ID`; nothing written")
    else:
        with StoreResolver(store) as resolver:
            batch = read(sources, resolver=resolver,
                         options=ReadOptions(input_format=input_format, encoding=encoding, stations=False))
            tenders = list(batch)
        result.failures, result.inputs = batch.failures, batch.inputs
    if not tenders:
        result.written, result.reason = False, "no input could be read"
        return result
    if strict and result.failures:
        result.written = False
        result.reason = f"{len(result.failures)} of {result.inputs} inputs could not be read (--strict)"
        return result
    docs: Iterable[Tender] = redacted(tenders) if redact_contacts else tenders
    export = export_ocds(docs, OcdsOptions(prefix=prefix) if prefix is not None else OcdsOptions())
    result.releases, result.processes, result.skipped = len(export.releases), len(export.by_ocid()), export.skipped
    if is_stdout(path):
        if stream is None:
            raise UsageError("--output - needs a stream to write to")
        export.write(stream)
        stream.flush()
        return result
    with atomic_path(Path(path)) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            export.write(fh)
    return result
