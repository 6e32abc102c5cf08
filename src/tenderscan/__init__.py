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
from .reader import Outcome, parse, read_sources  # noqa: F401

__version__ = "0.1.0"
