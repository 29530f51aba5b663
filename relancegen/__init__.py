"""relancegen: French dunning documents from a declarative YAML site.

The public API for plugin authors is re-exported here: ``hookimpl`` to mark hook
implementations and ``Receipt`` for what a channel returns.
"""

from relancegen.hookspecs import hookimpl
from relancegen.delivery import Delivery, DeliveryOutcomeUnknown, Receipt, Recipient

__version__ = "0.1.0"

__all__ = ["Delivery", "DeliveryOutcomeUnknown", "Receipt", "Recipient", "__version__", "hookimpl"]
