"""Command-line interface: a thin layer over the library. ``app`` is the console script."""

from .app import app  # noqa: F401

# each module registers its commands on `app`; a module missing from this list is not a command
from . import show, formats_cmd  # noqa: F401,E402

import importlib as _importlib

for _name in ("fetch", "search", "ingest", "list_cmd", "stations_cmd", "diff_cmd", "spending_cmd",
              "export_cmd"):
    try:
        _importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as _exc:  # commands of issues not built yet
        if _exc.name != f"{__name__}.{_name}":
            raise
