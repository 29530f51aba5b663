"""How a document greets its reader, from the contact's civility (``contacts[].civility``).

A named person is greeted as such: "Madame," at the head of a letter, "Bonjour Madame Roux,"
in an email, and the closing formula repeats "Madame". Without a civility, a letter says
"Madame, Monsieur," and an email plain "Bonjour," (never "Bonjour Service comptabilité").
A consumer's civility may also come from the client's name ("Mme Hélène Roux").
"""

from __future__ import annotations

from dataclasses import dataclass

from relancegen.site.model import Client, Contact

TITLES = {"Mme": "Madame", "M.": "Monsieur"}
NAME_PREFIXES = {"mme": "Mme", "madame": "Mme", "m.": "M.", "monsieur": "M.", "mr": "M."}


@dataclass(frozen=True)
class Greeting:
    courtesy: str  # "Madame", "Monsieur" or "Madame, Monsieur": as in the closing formula
    letter: str  # the first line of a letter: "Madame,"
    email: str  # the first line of an email: "Bonjour Madame Roux,"


def greeting_for(client: Client, contact: Contact | None) -> Greeting:
    """The greeting of a document addressed to ``contact`` (else the client itself)."""
    civility, name = (contact.civility, contact.name) if contact else (None, client.name)
    if civility is None and client.kind == "b2c":
        civility, in_name = _civility_in_name(client.name)
        name = name if contact else in_name
    if civility not in TITLES:
        return Greeting("Madame, Monsieur", "Madame, Monsieur,", "Bonjour,")
    title = TITLES[civility]
    return Greeting(title, f"{title},", f"Bonjour {title} {_family_name(name)},")


def _civility_in_name(name: str) -> tuple[str | None, str]:
    first, _, rest = name.partition(" ")
    civility = NAME_PREFIXES.get(first.lower())
    return (civility, rest) if civility and rest else (None, name)


def _family_name(name: str) -> str:
    """"Stéphanie Roux" → "Roux"; "Jean de La Fontaine" → "de La Fontaine"; "Roux" → "Roux"."""
    first, _, rest = name.strip().partition(" ")
    return rest.strip() or first
