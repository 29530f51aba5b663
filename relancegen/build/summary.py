"""The text a person reads after ``relancegen build``."""

from __future__ import annotations

from relancegen.build.pipeline import BuildSummary
from relancegen.law.todo import Todo
from relancegen.site.model import DOCUMENT_STAGES

STAGE_LABELS = {
    "prevention": "prévention",
    "reminder": "relance amicale",
    "call": "appel",
    "overdue": "relance formelle",
    "penalties": "pénalités",
    "formal_notice": "mise en demeure",
    "collection": "recouvrement",
    "declaration": "déclaration de créance",
}


def format_summary(summary: BuildSummary) -> str:
    lines = [
        f"Built {summary.document_count} documents for {summary.as_of.isoformat()} in {summary.output} "
        f"({summary.rendered} rendered, {summary.unchanged} unchanged)"
    ]
    for stage in DOCUMENT_STAGES:
        if summary.clients_per_stage[stage]:
            clients = summary.clients_per_stage[stage]
            lines.append(f"  {stage:<14} {clients:>3} client{'s' if clients > 1 else ' '}  {summary.documents_per_stage[stage]:>3} file{'s' if summary.documents_per_stage[stage] != 1 else ' '}   ({STAGE_LABELS[stage]})")
    if summary.idle_clients:
        lines.append(f"No document for {len(summary.idle_clients)} client{'s' if len(summary.idle_clients) > 1 else ''}:")
        lines.extend(f"  {client_id:<24} {reason}" for client_id, reason in summary.idle_clients)
    if summary.warnings:
        lines.append("Warnings:")
        lines.extend(f"  - {warning}" for warning in summary.warnings)
    return "\n".join(lines)


TODO_HEADINGS = {
    "call": "Calls to make, most urgent first",
    "unknown": "Deliveries with an unknown outcome (answer with `relancegen resolve`)",
    "failed": "Failed deliveries",
    "promise": "Payment promises",
    "missed_call": "Calls never made",
    "limitation": "Claims nearing their limitation date",
    "declaration": "Claims to declare (collective proceedings)",
    "after_judgment": "Invoices born after an opening judgment, overdue (collective proceedings)",
    "rate": "Registered letters held: a rate to verify and add under `rates:` in site.yml",
}


def format_todo(todo: Todo) -> str:
    """The morning to-do: what a person must do today, by kind, most pressing first."""
    if not todo.items:
        return f"To do on {todo.as_of.isoformat()}: nothing waits for a person."
    lines = [f"To do on {todo.as_of.isoformat()}: {len(todo.items)} item{'s' if len(todo.items) > 1 else ''}"]
    for kind, heading in TODO_HEADINGS.items():
        items = todo.of_kind(kind)
        if not items:
            continue
        lines.append(f"  {heading}:")
        for number, item in enumerate(items, start=1):
            phone = f"  {item.phone}" if item.phone else ""
            marker = f"{number}." if kind == "call" else "-"
            lines.append(f"    {marker} {item.client}{phone}  {item.text}")
    return "\n".join(lines)
