"""Step 4 of the pipeline: the build, which writes the documents and ``manifest.json``.

Owns the pipeline walked top to bottom with its plugin events (``pipeline``), the worker
processes of ``--jobs`` (``workers``), the input keys of incremental builds (``inputs``),
reading, writing and merging the manifest (``manifest``), the summary printed after a
build (``summary``) and the build's ``index.html`` dashboard (``dashboard``).

May import: ``relancegen.plugins``, ``relancegen.documents``, ``relancegen.law``,
``relancegen.site``, ``relancegen.errors`` and ``relancegen.fsutil``.
"""
