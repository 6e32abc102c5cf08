"""The Typer app, its global options, and the one place errors become exit codes.

Commands live one per module in this package and register themselves on ``app``. A command parses its
arguments, calls one service, and renders (:mod:`tenderscan.render`); it never catches errors itself:
:func:`command` turns a ``TenderscanError`` into one line on stderr and its exit code, and :class:`Group`
does the same for usage errors (a bad option value, a missing argument), before any work starts.
"""

from __future__ import annotations

import functools
import inspect
import re
import sys
from typing import Any, Callable

import typer
from typer.core import TyperCommand, TyperGroup

from .. import __version__, interrupt
from ..errors import TenderscanError
from ..render.console import error_line, out_line, print_traceback, silence_stdout, state, stderr_line
from ..store.db import existing_stores_only


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


def command(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a command: TenderscanError -> one line + exit code (and its traceback first with --debug);
    closed pipe -> quiet exit; anything else -> one line, exit 70 (traceback with --debug).

    A command opens only a store that exists (``store.db.existing_stores_only``): a mistyped ``--store``
    is an error ("no store at PATH"), never a new empty store; the commands that write (``ingest``,
    ``fetch``) ask for one to be created."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with existing_stores_only(), interrupt.catching():
                return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except TenderscanError as exc:
            if state.debug:
                print_traceback(exc)
            error_line(exc.one_line())
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:
            silence_stdout()
            raise typer.Exit(0) from None
        except KeyboardInterrupt:
            stderr_line("interrupted")
            raise typer.Exit(130) from None
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if interrupt.pressed():  # a Ctrl-C that came back wrapped in another error
                stderr_line("interrupted")
                raise typer.Exit(130) from None
            if state.debug:
                print_traceback(exc)
            error_line(f"internal error: {type(exc).__name__}: {exc}".splitlines()[0][:300]
                       + "; rerun with --debug for the traceback and report it")
            raise typer.Exit(70) from None

    return wrapper


def version_callback(value: bool) -> None:
    if value:
        out_line(f"tenderscan {__version__}")
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
