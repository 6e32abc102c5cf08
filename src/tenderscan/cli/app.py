"""The Typer app, global options, consoles, and the one place errors become exit codes.

Commands live one per module in this package and register themselves on ``app``. A command parses its
arguments, calls one library function, and renders; it never catches errors itself: :func:`command`
turns a ``TenderscanError`` into one line on stderr and its exit code, and :class:`Group` does the same
for usage errors (a bad option value, a missing argument), before any work starts.
"""

from __future__ import annotations

import functools
import inspect
import os
import re
import sys
import traceback
from dataclasses import dataclass
from typing import Any, Callable

import typer
from rich.console import Console
from rich.segment import Segment
from typer.core import TyperCommand, TyperGroup

from ..errors import TenderscanError
from ..render.text import OutputFormat


def _flowed(text: str | None) -> str | None:
    """A docstring as help: each paragraph of prose on one line (the terminal wraps it at its own width),
    indented paragraphs (examples) kept line by line."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    out = []
    for para in paragraphs:
        lines = para.split("\n")
        if any(line.startswith(" ") for line in lines):
            out.append(para)
        else:
            out.append(" ".join(line.strip() for line in lines))
    return "\n\n".join(out)


def _plain_flags(params: list, ctx: Any = None) -> list:
    """Flags take no value: no ``<bool>`` type marker beside them in the help. A list of choices is spaced
    at its bars, so that a narrow terminal wraps it between two values, not in the middle of one."""
    for p in params:
        if getattr(p, "metavar", None) is not None or getattr(p, "param_type_name", "") != "option":
            continue
        if getattr(p, "is_flag", False):
            p.metavar = ""
            continue
        desc = getattr(p, "type_descriptor", None)
        if ctx is not None and desc is not None and getattr(desc, "is_choice", False):
            label = p.display_type(ctx)
            if label and "|" in label:
                p.metavar = label.replace("|", " | ")
    return params


class Command(TyperCommand):
    """Every command: help paragraphs flowed, flags without a type marker."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _flowed(self.help)

    def get_params(self, ctx: Any) -> list:
        return _plain_flags(super().get_params(ctx), ctx)


class Group(TyperGroup):
    """The app: usage errors (a bad value, a missing argument, an unknown option or command) as one line
    on stderr with exit code 2, instead of click's box of usage text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _flowed(self.help)

    def get_params(self, ctx: Any) -> list:
        return _plain_flags(super().get_params(ctx), ctx)

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.Abort:
            error_line("aborted")
            sys.exit(1)
        except typer.TyperException as exc:
            if type(exc).__name__ != "NoArgsIsHelpError":  # that one has printed the help already
                error_line(usage_message(exc))
            sys.exit(exc.exit_code)
        sys.exit(rv if isinstance(rv, int) else 0)


def usage_message(exc: typer.TyperException) -> str:
    """A click usage error as one line: what was wrong (with the allowed values, where click names them)
    and where the help is."""
    param = getattr(exc, "param", None)
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, typer.BadParameter) and param is not None and type(exc).__name__ == "BadParameter":
        opts = [o for o in getattr(param, "opts", []) if o.startswith("--")]
        name = opts[0] if opts and getattr(param, "param_type_name", "") == "option" else (
            getattr(param, "metavar", None) or getattr(param, "name", "") or "")
        detail = _sentence(re.sub(r"^Value error, ", "", exc.message.strip()))
        text = f"{name}: {detail}" if name else detail
    else:
        text = _sentence(exc.format_message().strip())
    text = " ".join(text.split())
    if ctx is not None:
        text += f"; see `{ctx.command_path} --help`"
    return text


def _sentence(text: str) -> str:
    """Click's "Missing option." as the tail of one of our lines: "missing option" (an acronym stays)."""
    text = text.rstrip(".")
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


class App(typer.Typer):
    """``typer.Typer`` whose commands are :class:`Command` unless they say otherwise."""

    def command(self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any):
        return super().command(name, cls=cls or Command, **kwargs)


app = App(
    name="tenderscan",
    cls=Group,
    help=(
        "Read public procurement documents exactly: zakupki.gov.ru (44-FZ, 223-FZ), OCDS, ProZorro, TED.\n\n"
        "Every command that prints rows takes --format table|json|jsonl|csv. Data goes to stdout; "
        "progress, warnings and errors go to stderr."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class State:
    debug: bool = False
    quiet: bool = False


state = State()

# control characters (ESC sequences can retitle, recolour or rewrite a terminal) and bidi overrides (they
# reorder what follows on the line): documents and file names may carry them; what we print may not
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class SafeConsole(Console):
    """A console that shows control characters and bidi overrides in text as U+FFFD instead of sending them
    to the terminal (rich's own styling codes are control segments, untouched)."""

    def render(self, renderable, options=None):
        for seg in super().render(renderable, options):
            if not seg.control and _UNSAFE.search(seg.text):
                seg = Segment(_UNSAFE.sub("\ufffd", seg.text), seg.style, seg.control)
            yield seg


err = SafeConsole(stderr=True, soft_wrap=True, highlight=False)


def out_console() -> Console:
    """A console for tables on stdout (wide when stdout is not a terminal, so pipes are not wrapped)."""
    if sys.stdout.isatty():
        return SafeConsole(soft_wrap=False, highlight=False)
    return SafeConsole(width=int(os.environ.get("COLUMNS", "160")), highlight=False, soft_wrap=False,
                   force_terminal=False)


def default_format() -> OutputFormat:
    return OutputFormat.table if sys.stdout.isatty() else OutputFormat.json


def resolve_format(fmt: OutputFormat | None) -> OutputFormat:
    return fmt or default_format()


def warn(message: str) -> None:
    if not state.quiet:
        err.print(f"warning: {message}", markup=False)


def info(message: str) -> None:
    if not state.quiet:
        err.print(message, markup=False)


def error_line(message: str) -> None:
    err.print(f"error: {message}", markup=False)


def progress_enabled() -> bool:
    return not state.quiet and err.is_terminal


def print_traceback(exc: BaseException) -> None:
    """With --debug: the traceback of an error, with the exception it was raised from or while handling
    (the one-line errors hide it: ``raise ... from None``)."""
    exc.__suppress_context__ = False
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    err.print(text.rstrip("\n"), markup=False, highlight=False, soft_wrap=True)


def command(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a command: TenderscanError -> one line + exit code (and its traceback first with --debug);
    closed pipe -> quiet exit; anything else -> one line, exit 70 (traceback with --debug).

    A command opens only a store that exists (``store.db.existing_stores_only``): a mistyped ``--store``
    is an error ("no store at PATH"), never a new empty store; the commands that write (``ingest``,
    ``fetch``) ask for one to be created."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ..store.db import existing_stores_only

        try:
            with existing_stores_only():
                return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except TenderscanError as exc:
            if state.debug:
                print_traceback(exc)
            error_line(exc.one_line())
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:
            _silence_stdout()
            raise typer.Exit(0) from None
        except KeyboardInterrupt:
            err.print("interrupted", markup=False)
            raise typer.Exit(130) from None
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if state.debug:
                print_traceback(exc)
            error_line(f"internal error: {type(exc).__name__}: {exc}".splitlines()[0][:300]
                       + "; rerun with --debug for the traceback and report it")
            raise typer.Exit(70) from None

    return wrapper


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


def version_callback(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"tenderscan {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks instead of one-line errors."),
    quiet: bool = typer.Option(False, "--quiet", "-q",
                               help="Only errors on stderr: no progress bars, summaries or warnings."),
    version: bool = typer.Option(False, "--version", callback=version_callback, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Read public procurement documents exactly, with the source of every figure."""
    state.debug = debug
    state.quiet = quiet


# --- options shared by several commands -------------------------------------------------------------------

FORMAT_HELP = "Output format: table (default on a terminal), json (default otherwise), jsonl or csv."


def format_option(default: OutputFormat | None = None, help: str = FORMAT_HELP) -> Any:
    return typer.Option(default, "--format", "-f", help=help, case_sensitive=False)


# --- validation: every option value is checked while the command line is parsed, before any work ----------
# (a bad value is a usage error: one line with the allowed values, exit 2). Choices are enums; the rest
# goes through these callbacks.


def check_input_format(value: str | None) -> str | None:
    if value is None:
        return None
    from ..formats import formats

    names = [f.name for f in formats()]
    if value not in names:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(names)} (see `tenderscan formats`)")
    return value


def check_encoding(value: str | None) -> str | None:
    if value is None:
        return None
    import codecs

    try:
        codecs.lookup(value)
    except LookupError:
        raise typer.BadParameter(f"unknown encoding {value!r}; use a name such as utf-8 or cp1251") from None
    return value


def check_currency(value: str | None) -> str | None:
    """An ISO 4217 code (any case), given back in capitals."""
    if value is None:
        return None
    import pycountry

    code = value.strip().upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise typer.BadParameter(f"{value!r} is not an ISO 4217 currency code (e.g. USD, EUR, RUB, UAH)")
    return code


def check_char(value: str | None) -> str | None:
    if value is not None and len(value) != 1:
        raise typer.BadParameter(f"{value!r} is not one character (e.g. ';')")
    return value


def check_languages(value: str | None) -> str | None:
    if value is None:
        return None
    bad = [x for x in (p.strip() for p in value.split(",")) if x and not re.fullmatch(r"[A-Za-z]{2,3}", x)]
    if bad or not value.strip(" ,"):
        raise typer.BadParameter(f"{value!r} is not a list of language codes (e.g. en or fr,en)")
    return value


def check_url(value: str | None) -> str | None:
    if value is not None and not re.match(r"https?://[^/\s]+", value):
        raise typer.BadParameter(f"{value!r} is not an http:// or https:// address")
    return value


def check_code_prefix(value: str | None) -> str | None:
    """A classification code prefix such as 26.40 or 2640."""
    if value is not None and not re.fullmatch(r"[0-9][0-9.]*", value.strip()):
        raise typer.BadParameter(f"{value!r} is not a code prefix (digits and dots, e.g. 26.40)")
    return value


def check_suffix(*suffixes: str) -> Callable[[Any], Any]:
    """A file name that must end with one of ``suffixes``."""

    def check(value: Any) -> Any:
        if value is not None and not str(value).lower().endswith(suffixes):
            raise typer.BadParameter(f"{str(value)!r} must end with {' or '.join(suffixes)}")
        return value

    return check


def input_format_option() -> Any:
    return typer.Option(None, "--input-format", "-i", callback=check_input_format,
                        help="Force the input format instead of detecting it (see `tenderscan formats`).")


def encoding_option() -> Any:
    return typer.Option(None, "--encoding", "-e", callback=check_encoding,
                        help="Read the input in this encoding (e.g. cp1251), overriding what it declares.")


def store_option() -> Any:
    return typer.Option(None, "--store", envvar="TENDERSCAN_STORE",
                        help="The store directory (default: the user data dir; env TENDERSCAN_STORE).",
                        show_envvar=True)
