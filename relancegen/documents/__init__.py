"""Step 3 of the pipeline: documents, rendered through the theme.

Owns which documents each stage produces (``kinds``), the letters as content files
(``letters``), the Jinja theme environment and the template context (``render``), French
formatting of dates, money and rates (``formatting``), the EPC scan-to-pay QR code (``qr``),
HTML → PDF with WeasyPrint (``pdf``, the replaceable default renderer) and its font cache
(``fontcache``), and the accountant's penalty table of ``relancegen penalties``
(``penalty_report``); the theme's assets (``assets``), installed themes and style variables
(``themes``), the theme and stylesheet checks of ``check`` and ``serve`` (``themecheck``, ``stylecheck``) and CSV for a
French Excel (``spreadsheet``). WeasyPrint is imported lazily, only when a PDF is rendered
(or a stylesheet checked).

May import: ``relancegen.law``, ``relancegen.site``, ``relancegen.errors``,
``relancegen.fsutil`` and ``relancegen.hookspecs`` (for ``hookimpl``).
"""
