"""The indicators, one module each, in the order Cardinal runs them.

To add one (e.g. a zakupki-specific indicator): write a module with a subclass of :class:`.base.Indicator`
(``code``, ``title``, ``options``/``tables`` for its settings section, ``observe``/``finish``), give it a
docstring like the others (plain meaning, definition, default threshold), and list it in ``INDICATORS``.
The settings reader accepts its section from then on.
"""

from __future__ import annotations

from .base import Collector, Indicator, RunState, TendererFlags
from .r003 import R003
from .r018 import R018
from .r024 import R024
from .r025 import R025
from .r028 import R028
from .r030 import R030
from .r035 import R035
from .r036 import R036
from .r038 import R038
from .r048 import R048
from .r058 import R058

#: every implemented indicator, in Cardinal's order of evaluation
INDICATORS: tuple[type[Indicator], ...] = (R003, R018, R024, R025, R028, R030, R035, R036, R038, R048, R058)
REGISTRY: dict[str, type[Indicator]] = {cls.code: cls for cls in INDICATORS}
#: Cardinal indicators that exist in some Cardinal versions but are not implemented here
NOT_IMPLEMENTED = ("R044", "R055")

__all__ = ["Collector", "INDICATORS", "Indicator", "NOT_IMPLEMENTED", "REGISTRY", "RunState", "TendererFlags"]
