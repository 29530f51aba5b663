"""Step 5 of the pipeline: delivery, from the manifest to the channels and the journal.

Owns the channel contract that plugins implement (``contract``: ``Delivery``,
``Recipient``, ``Receipt``, ``DeliveryOutcomeUnknown``, re-exported by ``relancegen``),
turning the manifest into deliveries with their ids and recipients (``deliveries``),
``relancegen send`` (``send``), appending to the journal (``journal``) and
``relancegen track`` (``track``).

May import: ``relancegen.build.manifest`` (to read the manifest), ``relancegen.plugins``,
``relancegen.law``, ``relancegen.site``, ``relancegen.errors`` and ``relancegen.fsutil``.
"""
