"""Step 2 of the pipeline: the law, as pure functions over the site's data.

Owns the penalty engine (``penalties``: late interest, the recovery indemnity, per debtor
regime), the stage engine (``stages``: which stage each invoice is due for on a date), each
client's situation on the build date (``situation``), the legal warnings of
``relancegen check`` (``checks``) and the aged balance, stage funnel and DSO (``aging``). Nothing here reads a file or the clock: the build date,
the rate tables and the journal entries are arguments, so every rule is testable from a table.

May import: ``relancegen.site`` (the data model and rate tables) and ``relancegen.errors``.
"""
