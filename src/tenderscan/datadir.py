"""Where tenderscan keeps its data by default: the store's directory (``TENDERSCAN_STORE``, else the user's
data directory). The store's database, the bulk journal and a downloaded ECB rates file sit in it."""

from __future__ import annotations

import os
from pathlib import Path


def default_dir() -> Path:
    env = os.environ.get("TENDERSCAN_STORE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("tenderscan", appauthor=False))
