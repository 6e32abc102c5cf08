"""Command-line interface: a thin layer over the services and the renderers. ``app`` is the console script.

Each module of this package but ``app`` and ``options`` is one command, registered on ``app`` when the
module is imported: the order of the imports below is the order of the commands in ``--help``.
"""

from .app import app  # noqa: F401
from . import show, formats_cmd, fetch, search, ingest, list_cmd, stations_cmd, diff_cmd  # noqa: F401,E402,I001
from . import spending_cmd, export_cmd  # noqa: F401,E402
