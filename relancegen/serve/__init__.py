"""``relancegen serve``: the theme author's preview loop, like ``mkdocs serve``.

Owns the preview of a site (``preview``: every client, stage and document, rendered on
demand, PDFs cached on their inputs), the watch of the site's and the theme's files
(``watch``) and the loopback HTTP server with its reload endpoint (``server``).

May import: ``relancegen.build``, ``relancegen.plugins``, ``relancegen.documents``,
``relancegen.law``, ``relancegen.site``, ``relancegen.errors`` and ``relancegen.fsutil``.
Nothing imports it but the command line.
"""
