"""tenderscan: public procurement documents read exactly, with the source of every figure.

    >>> from tenderscan import parse
    >>> [t] = parse("fixtures/zakupki/44fz_fcs_printform_fcsNotificationEF_0301300140921000011.xml")
    >>> t.amount
"""

from .errors import (  # noqa: F401
    BlockedError,
    FetchError,
    NotFoundError,
    ParseError,
    StoreError,
    TenderscanError,
    UnsafeInputError,
)
from .models import (  # noqa: F401
    Application,
    Attachment,
    Item,
    Kind,
    Lot,
    Organization,
    Payment,
    Place,
    Source,
    Station,
    Tender,
)
from .documents.batch import Batch, Failure, ReadOptions, read  # noqa: F401
from .documents.parse import parse  # noqa: F401

# the rest of the library, imported on first use so `import tenderscan` stays light (named apart from the
# submodules `diff`, `export`, `spending`, which shadow package attributes once imported)
_LAZY = {
    "Store": ("tenderscan.store", "Store"),
    "ingest": ("tenderscan.services.ingest", "ingest"),
    "bulk_download": ("tenderscan.services.bulk", "bulk_download"),
    "BulkPlan": ("tenderscan.sources.bulk", "BulkPlan"),
    "diff_tenders": ("tenderscan.services.diff", "diff"),
    "export_table": ("tenderscan.services.export.tables", "export"),
    "spending_report": ("tenderscan.services.spending.report", "spending"),
    "extract_stations": ("tenderscan.stations", "extract"),
    "annotate_stations": ("tenderscan.stations", "annotate"),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'tenderscan' has no attribute {name!r}")

__version__ = "0.1.0"
