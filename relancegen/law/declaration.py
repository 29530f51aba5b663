"""The declaration of a claim in collective proceedings (déclaration de créance).

A debtor in sauvegarde, redressement or liquidation judiciaire is no longer dunned (C. com.
L622-21): its creditor declares what it is owed to the mandataire judiciaire within two
months of the BODACC publication of the opening judgment (L622-24, R622-24). The claim is
what the debtor owed on the day before the judgment:

* each invoice born before the judgment (its work or service performed, else the invoice
  issued, before it), for the principal still owed; those the debtor disputes too, marked as
  such: a claim that is not declared is lost to the proceedings (L622-26), and the dispute is
  settled when the claims are verified (L624-2);
* the invoices not yet due on the day of the judgment, as sums falling due with their due
  date (L622-25);
* late interest up to the day before the judgment, not after: the opening judgment stops
  interest (L622-28; the exception for loans and contracts with deferred payment of a year
  or more does not concern invoices);
* the 40 € recovery indemnity of each invoice that was already late before the judgment,
  for business and public debtors: an invoice falling due on or after the judgment cannot
  lawfully be paid at its due date, so it owes neither interest nor indemnity;
* with ``terms.claim_paid_late``, the penalties of invoices paid late before the judgment,
  which are claims too (principal 0).

Pure: the build date and the journal are arguments.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from relancegen.law.penalties import InvoicePenalties, compute_penalties, formal_notice_dates
from relancegen.law.stages import counted, disputed_in_journal
from relancegen.site.model import DECLARATION, Client, Insolvency, Invoice, JournalEntry, Site

#: The months a creditor has to declare its claim from the BODACC publication (C. com. R622-24).
DECLARATION_MONTHS = 2
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class DeclaredInvoice:
    """One invoice of the claim, as it stood on the day before the opening judgment."""

    invoice: Invoice
    principal: Decimal
    penalties: InvoicePenalties | None  # interest up to the day before the judgment, and the indemnity
    disputed: bool = False  # the debtor disputes it (invoices.yml, or a call recorded as a dispute)
    falling_due: bool = False  # not yet due on the day of the judgment (une somme à échoir, L622-25)

    @property
    def interest(self) -> Decimal:
        return self.penalties.interest_due if self.penalties else ZERO

    @property
    def indemnity(self) -> Decimal:
        return self.penalties.indemnity if self.penalties else ZERO

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.indemnity


@dataclass(frozen=True)
class Declaration:
    """The claim a creditor declares to the mandataire judiciaire."""

    proceedings: Insolvency
    invoices: tuple[DeclaredInvoice, ...]

    @property
    def interest_until(self) -> dt.date:
        """The last day of interest: the day before the opening judgment (L622-28)."""
        return self.proceedings.eve

    @property
    def deadline(self) -> dt.date | None:
        """Two months from the BODACC publication; None while the site does not give it."""
        published = self.proceedings.published
        return add_months(published, DECLARATION_MONTHS) if published else None

    @property
    def principal(self) -> Decimal:
        return sum((line.principal for line in self.invoices), ZERO)

    @property
    def interest(self) -> Decimal:
        return sum((line.interest for line in self.invoices), ZERO)

    @property
    def indemnity(self) -> Decimal:
        return sum((line.indemnity for line in self.invoices), ZERO)

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.indemnity

    @property
    def falling_due_invoices(self) -> tuple[DeclaredInvoice, ...]:
        """The invoices not yet due on the day of the judgment, declared as sums falling due
        with their due date (L622-25)."""
        return tuple(line for line in self.invoices if line.falling_due)

    @property
    def falling_due_total(self) -> Decimal:
        return sum((line.principal for line in self.falling_due_invoices), ZERO)

    @property
    def disputed_invoices(self) -> tuple[DeclaredInvoice, ...]:
        """The invoices the debtor disputes, declared all the same."""
        return tuple(line for line in self.invoices if line.disputed)


def declared(history: Iterable[JournalEntry]) -> bool:
    """Whether the journal says the claim was declared: a declaration sent, recorded by a
    person (``relancegen record --stage declaration``), or of unknown outcome."""
    return any(entry.stage == DECLARATION for entry in counted(list(history)))


def declaration_of(site: Site, client: Client, numbers: Iterable[str]) -> Declaration | None:
    """The claim to declare against a client in collective proceedings: its invoices among
    ``numbers`` (those still open, disputed or not, and those paid late) that were born
    before the judgment and owed something on its eve. None when there is none."""
    proceedings = client.insolvency
    if proceedings is None:
        return None
    eve = proceedings.eve
    history = site.journal_of(client.id)
    notices = formal_notice_dates(history)
    disputed = disputed_in_journal(history)
    wanted = set(numbers)
    lines = []
    for invoice in site.invoices_of(client.id):
        if invoice.number not in wanted or invoice.born >= proceedings.judgment:
            continue  # a claim born after the judgment is not declared (L622-17)
        penalties = compute_penalties(
            invoice, kind=client.kind, terms=site.terms, rates=site.rates, as_of=eve,
            formal_notice_date=notices.get(invoice.number),
        )
        principal = penalties.outstanding if penalties else invoice.outstanding(eve)
        if principal > 0 or (penalties is not None and penalties.total_penalties > 0):
            lines.append(DeclaredInvoice(
                invoice, principal, penalties, disputed=bool(invoice.disputed) or invoice.number in disputed,
                falling_due=principal > 0 and invoice.due >= proceedings.judgment,
            ))
    return Declaration(proceedings, tuple(lines)) if lines else None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
