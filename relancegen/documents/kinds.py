"""Which documents each stage produces, and where they are written.

A :class:`DocumentSpec` says what to build (kind, formats, the letter or template) and
through which medium it goes out; :func:`documents_for` lists them for a client's
situation, following the spec's "Stages" table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from relancegen.law.situation import ClientSituation
from relancegen.law.stages import promises_of, running_promise
from relancegen.site.model import DECLARATION

PDF_AND_HTML = ("pdf", "html")
TEXT_AND_HTML = ("txt", "html")


@dataclass(frozen=True)
class DocumentSpec:
    """One document to build for a client.

    ``letter`` names a content file's medium in ``letters/<stage>/`` (email, post, phone);
    ``template`` names a theme template for structured documents (statement, call sheet).
    """

    kind: str  # letter | email | statement | call_sheet | case_file | declaration | debit_note | message (a medium a plugin adds)
    stage: str
    medium: str  # the medium it goes out through: email | post | registered_post | phone | agency, or one a plugin adds
    name: str  # file stem
    formats: tuple[str, ...]
    letter: str | None = None
    template: str | None = None
    letter_name: str | None = None  # a specific letter file stem, e.g. "followup-email"


def _letter(stage: str, medium: str) -> DocumentSpec:
    return DocumentSpec("letter", stage, medium, "letter", PDF_AND_HTML, letter="post", template="letter.html")


def _email(stage: str, name: str = "email", letter_name: str | None = None) -> DocumentSpec:
    return DocumentSpec("email", stage, "email", name, TEXT_AND_HTML, letter="email", template="email.html", letter_name=letter_name)


def _statement(stage: str) -> DocumentSpec:
    return DocumentSpec("statement", stage, "registered_post", "statement", ("pdf",), template="statement.html")


#: Stages whose registered letter leaves with the penalty statement.
STATEMENT_STAGES = ("penalties", "formal_notice")

STAGE_DOCUMENTS: dict[str, tuple[DocumentSpec, ...]] = {
    "prevention": (_email("prevention"),),
    "reminder": (_email("reminder"),),
    "call": (DocumentSpec("call_sheet", "call", "phone", "call-sheet", ("pdf",), letter="phone", template="call_sheet.html"),),
    "overdue": (_letter("overdue", "post"), _email("overdue")),
    "penalties": (_letter("penalties", "registered_post"), _statement("penalties")),
    "formal_notice": (_letter("formal_notice", "registered_post"), _statement("formal_notice")),
    "collection": (
        _letter("collection", "post"),
        DocumentSpec("case_file", "collection", "agency", "case-summary", ("pdf",), template="case_summary.html"),
    ),
}

CALL_FOLLOW_UP = _email("call", name="follow-up", letter_name="followup-email")

#: The declaration of the claim to the mandataire judiciaire, by registered letter.
DECLARATION_DOCUMENT = DocumentSpec("declaration", DECLARATION, "registered_post", "declaration", ("pdf",), letter="post", template="declaration.html")

#: The stages whose acts claim the penalties on invoices paid late, and the medium of the
#: letter the debit note leaves with (the agency gets it with the collection letter).
DEBIT_NOTE_MEDIA = {"penalties": "registered_post", "formal_notice": "registered_post", "collection": "post"}


def documents_for(situation: ClientSituation) -> list[DocumentSpec]:
    """The documents to build today for one client's situation."""
    specs: list[DocumentSpec] = []
    if situation.prevention:
        specs.extend(STAGE_DOCUMENTS["prevention"])
    if situation.stage is not None:
        specs.extend(spec for spec in STAGE_DOCUMENTS[situation.stage]
                     if spec.kind != "statement" or has_statement(situation, situation.stage))
    if needs_call_follow_up(situation):
        specs.append(CALL_FOLLOW_UP)
    if situation.stage in DEBIT_NOTE_MEDIA and situation.paid_late:
        specs.append(debit_note(situation.stage))
    if needs_declaration(situation):
        specs.append(DECLARATION_DOCUMENT)
    return specs


def debit_note(stage: str) -> DocumentSpec:
    """The note de débit claiming the penalties on invoices paid late (``claim_paid_late``),
    which leaves with the stage's letter."""
    return DocumentSpec("debit_note", stage, DEBIT_NOTE_MEDIA[stage], "debit-note", ("pdf",), template="debit_note.html")


def needs_declaration(situation: ClientSituation) -> bool:
    """The client is in collective proceedings, the claim is not declared yet (no
    declaration in the journal), the site names the mandataire to send it to, and today is
    a working day."""
    proceedings = situation.client.insolvency
    return (situation.declaration is not None and proceedings is not None and proceedings.mandataire is not None
            and situation.working_day)


def messages_for(situation: ClientSituation, media_stages: dict[str, tuple[str, ...]]) -> list[DocumentSpec]:
    """The messages of the media plugins add (site.yml ``channels.sms.stages``) due today:
    one plain-text ``<medium>.txt`` for each of its stages the client is at, from the theme
    template of the same name (which the plugin ships, and a site may override)."""
    stages = [*(["prevention"] if situation.prevention else []), *([situation.stage] if situation.stage else [])]
    return [
        DocumentSpec("message", stage, medium, medium, ("txt",), template=f"{medium}.txt")
        for stage in stages
        for medium, carried in sorted(media_stages.items())
        if stage in carried
    ]


def has_statement(situation: ClientSituation, stage: str) -> bool:
    """Whether the stage's registered letter leaves with a penalty statement: at the
    penalties and formal notice stages, except for a consumer who owes no interest yet
    (interest runs only from a formal notice naming the invoice) and when every claimed
    invoice's penalties were paid or waived: no statement at 0 €."""
    if stage not in STATEMENT_STAGES:
        return False
    if any(line.settled for line in situation.overdue) and situation.interest + situation.indemnity == 0:
        return False
    return situation.client.kind != "b2c" or situation.interest > 0


def needs_call_follow_up(situation: ClientSituation) -> bool:
    """A call was recorded, it obtained a promise still pending, and no summary email went
    out since: the follow-up email confirming what was agreed is due."""
    calls = [e for e in situation.history if e.stage == "call" and e.status == "recorded"]
    if not calls or situation.stage == "call" or not situation.working_day:
        return False
    last_call = max(calls, key=lambda e: e.time)
    lines = (*situation.overdue, *situation.other_overdue, *situation.not_yet_due)
    promises = promises_of([line.invoice for line in lines], situation.history)
    promised = running_promise(promises, {line.invoice.number for line in lines}, situation.as_of) is not None
    followed_up = any(
        e.stage == "call" and e.channel == "email" and e.status == "sent" and e.time >= last_call.time
        for e in situation.history
    )
    return promised and not followed_up


def document_path(client_id: str, spec: DocumentSpec, file_format: str) -> PurePosixPath:
    """``<client>/<stage>/<name>.<format>``: built only from validated ids and fixed names."""
    return PurePosixPath(client_id) / spec.stage / f"{spec.name}.{file_format}"
