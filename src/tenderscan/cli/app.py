"""The Typer app, global options, consoles, and the one place errors become exit codes.

Commands live one per module in this package and register themselves on ``app``. A command parses its
arguments, calls one library function, and renders; it never catches errors itself: :func:`command`
turns a ``TenderscanError`` into one line on stderr and its exit code.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from dataclasses import dataclass
from typing import Any, Callable

import typer
from rich.console import Console
from rich.segment import Segment

from ..errors import TenderscanError
from ..render import OutputFormat

app = typer.Typer(
    name="tenderscan",
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


def command(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a command: TenderscanError -> one line + exit code; closed pipe -> quiet exit;
    anything else -> one line (traceback with --debug)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except TenderscanError as exc:
            if state.debug:
                raise
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
                raise
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
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars, summaries or warnings on stderr."),
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


def input_format_option() -> Any:
    return typer.Option(None, "--input-format", "-i",
                        help="Force the input format instead of detecting it (see `tenderscan formats`).")


def encoding_option() -> Any:
    return typer.Option(None, "--encoding", "-e",
                        help="Read the input in this encoding (e.g. cp1251), overriding what it declares.")


def store_option() -> Any:
    return typer.Option(None, "--store", envvar="TENDERSCAN_STORE",
                        help="The store directory (default: the user data dir; env TENDERSCAN_STORE).",
                        show_envvar=True)
