"""Command-line interface: a thin layer over the services and the renderers. ``app`` is the console script.

Each module of this package but ``app``, ``options``, ``batch`` and ``dataset`` (the ``--dataset``
options of three commands) is one command, registered on ``app``
when the module is imported: the order of the imports below is the order of the commands in ``--help``.
A command module imports at its top what its options need (typer, the shared options, the enums of its
choices); its service, and a renderer of its own, when the command runs (lazy command loading: a command
starts without the others' work).
"""

from .app import app  # noqa: F401
from . import show, formats_cmd, fetch, search, bulk, ingest, list_cmd, stations_cmd, diff_cmd  # noqa: F401,E402,I001
from . import spending_cmd, export_cmd  # noqa: F401,E402
from . import flags_cmd, profile_cmd  # noqa: F401,E402
