"""The site as plain, validated data.

These frozen dataclasses are what the loader produces and what every later step
(penalties, stages, rendering, channels) consumes. They hold no behaviour that does I/O.
Money is always ``Decimal``; dates are ``datetime.date``; times are timezone-aware.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from relancegen.errors import Location

#: The stages in escalation order, as the spec's default schedule names them.
STAGES: tuple[str, ...] = (
    "prevention",
    "reminder",
    "call",
    "overdue",
    "penalties",
    "formal_notice",
    "collection",
)

#: Stage → the media its documents go out through (spec "Stages" table).
STAGE_MEDIA: dict[str, tuple[str, ...]] = {
    "prevention": ("email",),
    "reminder": ("email",),
    "call": ("phone",),
    "overdue": ("email", "post"),
    "penalties": ("registered_post",),
    "formal_notice": ("registered_post",),
    "collection": ("agency", "post"),
}

MEDIA: tuple[str, ...] = ("email", "post", "registered_post", "phone", "agency")

#: The declaration of a claim in collective proceedings: an act outside the escalation (it
#: goes to the mandataire judiciaire, not to the debtor), journaled under its own stage name.
DECLARATION = "declaration"
#: Every stage a document, a letter or a journal entry may name: the escalation's, then the declaration.
DOCUMENT_STAGES: tuple[str, ...] = (*STAGES, DECLARATION)

#: The stages a medium a plugin adds (``channels.sms.stages``) may carry: every stage but the
#: call, which is a person on the phone; no message stands for it.
PLUGIN_MEDIUM_STAGES: tuple[str, ...] = tuple(stage for stage in STAGES if stage != "call")

INSOLVENCY_PROCEDURES: tuple[str, ...] = ("sauvegarde", "redressement", "liquidation")
CIVILITIES: tuple[str, ...] = ("Mme", "M.")
CLIENT_KINDS: tuple[str, ...] = ("b2b", "b2c", "public")
PAYER_PROFILES: tuple[str, ...] = ("good", "average", "bad")
DAY_COUNTS: tuple[str, ...] = ("actual/365", "actual/actual")
PAYMENT_ALLOCATIONS: tuple[str, ...] = ("principal", "interest_first")
#: How an invoice's late-payment penalties were settled (``penalties_settled.how``): the debtor
#: paid them, or the creditor waived them (a commercial gesture, remise gracieuse).
PENALTY_SETTLEMENTS: tuple[str, ...] = ("paid", "waived")
JOURNAL_STATUSES: tuple[str, ...] = ("attempt", "sent", "failed", "recorded", "unknown", "tracked", "resolved")


_RANKS: dict[str, int] = {stage: rank for rank, stage in enumerate(STAGES)}


def stage_rank(stage: str) -> int:
    """Position of a stage in the escalation order (prevention is 0); ValueError if unknown."""
    try:
        return _RANKS[stage]
    except KeyError:
        raise ValueError(f"unknown stage {stage!r}") from None


@dataclass(frozen=True)
class Address:
    lines: tuple[str, ...]
    postcode: str
    city: str
    country: str = "FR"


@dataclass(frozen=True)
class Contact:
    name: str
    role: str = ""
    email: str | None = None
    phone: str | None = None
    cc: bool = False
    civility: str | None = None  # "Mme" or "M.": how a letter greets this person


@dataclass(frozen=True)
class ConsumerMediator:
    """The consumer mediator a professional must name to consumers (C. conso L612-1, L616-1)."""

    name: str
    url: str | None = None


@dataclass(frozen=True)
class Signatory:
    name: str
    title: str = ""


@dataclass(frozen=True)
class Creditor:
    name: str
    address: Address
    email: str
    legal_form: str | None = None
    share_capital: str | None = None
    siren: str | None = None
    vat_number: str | None = None
    phone: str | None = None
    iban: str | None = None
    bic: str | None = None
    payment_url: str | None = None
    signatory: Signatory | None = None
    rcs: str | None = None  # the greffe's city: "RCS Lyon 732 829 320" (C. com. R123-237)
    consumer_mediator: ConsumerMediator | None = None


@dataclass(frozen=True)
class LateInterestRule:
    """How late interest is computed for b2b invoices.

    ``kind`` is ``ecb`` (ECB rate + ``points``, re-fixed each half-year), ``3x-legal``
    (three times each half-year's legal rate) or ``fixed`` (``annual_rate`` in percent).
    """

    kind: str
    points: Decimal = Decimal("0")
    annual_rate: Decimal | None = None
    text: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Terms:
    payment_days: int = 30
    late_interest: LateInterestRule = LateInterestRule("ecb", Decimal("10"), text="ecb+10")
    recovery_indemnity: Decimal = Decimal("40.00")
    day_count: str = "actual/365"
    formal_notice_days: int = 8
    delivery_days: int = 3  # working days from a letter's date to its expected first presentation
    claim_paid_late: bool = True
    payment_allocation: str = "principal"


@dataclass(frozen=True)
class ScheduleStep:
    stage: str
    days: int


DEFAULT_SCHEDULE: tuple[ScheduleStep, ...] = (
    ScheduleStep("prevention", -7),
    ScheduleStep("reminder", 5),
    ScheduleStep("call", 12),
    ScheduleStep("overdue", 20),
    ScheduleStep("penalties", 35),
    ScheduleStep("formal_notice", 50),
    ScheduleStep("collection", 65),
)

DEFAULT_PROFILES: dict[str, int] = {"good": 10, "average": 0, "bad": -3}


@dataclass(frozen=True)
class Policy:
    min_days_between_stages: int = 7
    minimum_balance: Decimal = Decimal("0.00")
    call_wait_days: int = 7  # escalation goes on when no call is recorded within this delay


@dataclass(frozen=True)
class Payment:
    date: dt.date
    amount: Decimal


@dataclass(frozen=True)
class Promise:
    date: dt.date
    amount: Decimal | None = None


@dataclass(frozen=True)
class PenaltiesSettled:
    """The invoice's late-payment penalties were paid or waived on ``date``: from that day on
    no document claims them (``how`` is one of :data:`PENALTY_SETTLEMENTS`)."""

    date: dt.date
    how: str
    note: str | None = None


@dataclass(frozen=True)
class Invoice:
    number: str
    client: str
    issued: dt.date
    due: dt.date
    amount: Decimal
    subject: str = ""
    currency: str = "EUR"
    amount_excl_tax: Decimal | None = None
    payments: tuple[Payment, ...] = ()
    disputed: str | None = None
    promise: Promise | None = None
    file: Path | None = None
    late_interest: LateInterestRule | None = None
    performed: dt.date | None = None  # when the work or service was completed (consumer limitation)
    received: dt.date | None = None  # when a public buyer received the invoice (its term runs from it)
    penalties_settled: PenaltiesSettled | None = None  # its penalties were paid or waived
    location: Location = Location("")

    def paid_by(self, day: dt.date) -> Decimal:
        """Sum of payments made on or before ``day``."""
        return sum((p.amount for p in self.payments if p.date <= day), Decimal("0.00"))

    @property
    def born(self) -> dt.date:
        """When the claim was born: the work or service performed (``performed``), or the
        invoice issued if that came first or the site does not say. Collective proceedings
        treat claims born before their opening judgment apart (C. com. L622-24, L622-17)."""
        return min(self.issued, self.performed) if self.performed else self.issued

    def outstanding(self, day: dt.date) -> Decimal:
        """Principal still owed at the end of ``day`` (never negative)."""
        return max(self.amount - self.paid_by(day), Decimal("0.00"))


@dataclass(frozen=True)
class Mandataire:
    """The mandataire judiciaire (or liquidator) a claim is declared to."""

    name: str
    address: Address


@dataclass(frozen=True)
class Insolvency:
    """Collective proceedings opened against a debtor (C. com. L622-21: individual actions
    stop; the claim is declared to the mandataire within 2 months of the BODACC publication)."""

    procedure: str  # sauvegarde | redressement | liquidation
    judgment: dt.date
    published: dt.date | None = None  # BODACC publication
    court: str | None = None  # the court that opened the proceedings, e.g. "Tribunal de commerce de Lyon"
    mandataire: Mandataire | None = None  # whom the claim is declared to
    security: str | None = None  # the security or privilege the claim carries; none: unsecured (chirographaire)

    @property
    def eve(self) -> dt.date:
        """The day before the opening judgment: the last day of dunning (L622-21) and of
        interest on the claims born before it (L622-28)."""
        return self.judgment - dt.timedelta(days=1)


@dataclass(frozen=True)
class Client:
    id: str
    name: str
    address: Address
    kind: str = "b2b"
    siren: str | None = None
    language: str | None = None
    contacts: tuple[Contact, ...] = ()
    payer: str = "average"
    usual_payment_days: int | None = None
    strategic: bool = False
    paused_until: dt.date | None = None
    insolvency: Insolvency | None = None
    location: Location = Location("")

    @property
    def accounting_contact(self) -> Contact | None:
        """The contact letters and emails are addressed to: role accounting, else the first."""
        for contact in self.contacts:
            if contact.role == "accounting":
                return contact
        return self.contacts[0] if self.contacts else None


@dataclass(frozen=True)
class JournalEntry:
    time: dt.datetime
    client: str
    stage: str
    channel: str
    invoices: tuple[str, ...]
    status: str
    proof: dict[str, Any] = field(default_factory=dict)
    note: str | None = None
    delivery_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    location: Location = Location("")


def resolved_as(entries: Iterable[JournalEntry], answer: str) -> set[str]:
    """The deliveries a person resolved (``relancegen resolve``) with ``answer``:
    ``delivered`` or ``not-delivered``."""
    return {e.delivery_id for e in entries if e.status == "resolved" and e.extra.get("resolution") == answer and e.delivery_id}


@dataclass(frozen=True)
class Site:
    root: Path
    title: str
    language: str
    theme: str
    output: Path
    as_of: dt.date | None
    creditor: Creditor
    terms: Terms
    schedule: tuple[ScheduleStep, ...]
    profiles: dict[str, int]
    policy: Policy
    clients: dict[str, Client]
    invoices: tuple[Invoice, ...]
    journal: tuple[JournalEntry, ...]
    journal_dir: Path
    rates: Any  # relancegen.site.rates.RateTables (kept as Any to avoid an import cycle)
    channels: dict[str, dict[str, Any]]
    warnings: tuple[Any, ...] = ()  # relancegen.errors.Problem, severity "warning"
    working_days: bool = True  # schedule.working_days: acts and deadlines on French working days
    invoice_copies: Path | None = None  # the folder invoice copies must be in (data.invoice_copies)
    #: The media plugins add (``channels.sms: {plugin: sms, stages: [...]}``) → the stages they carry.
    media_stages: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: site.yml's ``plugins:``: the third-party plugins that run for this site (None: every installed one).
    plugins: tuple[str, ...] | None = None
    #: Lines in site.yml of what is checked after loading, against the installed plugins:
    #: ``channels.<medium>`` and ``plugins``.
    lines: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # site.yml's extra:, for templates

    def without_data(self) -> Site:
        """The site's settings without its clients, invoices and journal: all that rendering
        a document needs besides the document's own situation, and what each build worker
        gets, so that the workers' memory does not grow with the site."""
        return dataclasses.replace(self, clients={}, invoices=(), journal=())

    def invoices_of(self, client_id: str) -> list[Invoice]:
        return list(self._invoices_by_client.get(client_id, ()))

    def journal_of(self, client_id: str) -> list[JournalEntry]:
        return list(self._journal_by_client.get(client_id, ()))

    @functools.cached_property
    def _invoices_by_client(self) -> dict[str, list[Invoice]]:
        return _group_by_client(self.invoices)

    @functools.cached_property
    def _journal_by_client(self) -> dict[str, list[JournalEntry]]:
        return _group_by_client(self.journal)


def _group_by_client(items: tuple[Any, ...]) -> dict[str, list[Any]]:
    """Items by their ``client`` id, in their original order (a lookup per client stays
    constant-time on large sites)."""
    grouped: dict[str, list[Any]] = {}
    for item in items:
        grouped.setdefault(item.client, []).append(item)
    return grouped
