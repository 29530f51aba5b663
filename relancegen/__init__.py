"""relancegen: French dunning documents from a declarative YAML site.

The package follows the pipeline, one folder a step, imports running one way (down):

    cli.py                  the commands, thin
    plugins.py, hookspecs.py  the plugin manager and the documented hooks
    delivery/               manifest → deliveries → channels → journal   (step 5)
    build/                  situations → documents → files and manifest.json   (step 4)
    documents/              letters, theme, formatting, PDF   (step 3)
    law/                    penalties, stages, situations: pure functions   (step 2)
    site/                   YAML, schema, model, journal reading, rate tables   (step 1)
    errors.py, fsutil.py    used by every step

The public API for plugin authors is re-exported here: ``hookimpl`` to mark hook
implementations, ``Delivery`` and ``Recipient`` for what a channel is handed, ``Receipt``
and ``DeliveryOutcomeUnknown`` for what it answers, ``PLUGIN_API_VERSION`` for the version
of all this. ``relancegen.hookspecs`` and ``relancegen.testing`` are public too.
"""

from relancegen.hookspecs import PLUGIN_API_VERSION, hookimpl
from relancegen.delivery.contract import Delivery, DeliveryOutcomeUnknown, Receipt, Recipient

__version__ = "0.1.0"

__all__ = ["PLUGIN_API_VERSION", "Delivery", "DeliveryOutcomeUnknown", "Receipt", "Recipient", "__version__", "hookimpl"]
