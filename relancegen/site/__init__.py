"""Step 1 of the pipeline: the site, loaded and validated.

Owns everything read from a site folder: the YAML reader that keeps line numbers
(``yamlpos``), the declarative schema of every field (``schema``), the frozen data model
(``model``), the journal as it is read back and its hash chain (``journal``), the shipped
rate tables and the site's additions to them (``rates``), and ``loader``, which turns a
folder into a :class:`~relancegen.site.model.Site` or raises every problem at once.

May import: ``relancegen.errors`` and ``relancegen.fsutil`` only. Everything else imports it.
"""
