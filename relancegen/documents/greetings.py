"""How a document greets its reader, from the contact's civility (``contacts[].civility``).

A named person is greeted as such: in French "Madame," at the head of a letter, "Bonjour
Madame Roux," in an email, and the closing formula repeats "Madame"; in English "Dear Ms
Roux," and "Yours sincerely,". Without a civility a letter says "Madame, Monsieur," / "Dear
Sir or Madam," (and "Yours faithfully,"), an email plain "Bonjour," / "Hello," (never
"Bonjour Service comptabilité"). A consumer's civility may also lead the client's name
("Mme Hélène Roux").
"""

from __future__ import annotations

from dataclasses import dataclass

from relancegen.site.model import Client, Contact

NAME_PREFIXES = {"mme": "Mme", "madame": "Mme", "m.": "M.", "monsieur": "M.", "mr": "M.", "mrs": "Mme", "ms": "Mme"}


@dataclass(frozen=True)
class Greeting:
    courtesy: str  # French closing formula: "Madame", "Monsieur" or "Madame, Monsieur"
    letter: str  # the first line of a letter: "Madame," / "Dear Ms Roux,"
    email: str  # the first line of an email: "Bonjour Madame Roux," / "Dear Ms Roux,"
    sign_off: str  # English closing: "Yours sincerely," to a named reader, else "Yours faithfully,"


def greeting_for(client: Client, contact: Contact | None, language: str = "fr") -> Greeting:
    """The greeting of a document addressed to ``contact`` (else the client itself)."""
    civility, name = (contact.civility, contact.name) if contact else (None, client.name)
    if civility is None and client.kind == "b2c":
        civility, in_name = _civility_in_name(client.name)
        name = name if contact else in_name
    family = _family_name(name)
    if language == "fr":
        title = {"Mme": "Madame", "M.": "Monsieur"}.get(civility or "")
        if title is None:
            return Greeting("Madame, Monsieur", "Madame, Monsieur,", "Bonjour,", "")
        return Greeting(title, f"{title},", f"Bonjour {title} {family},", "")
    title = {"Mme": "Ms", "M.": "Mr"}.get(civility or "")
    if title is None:
        return Greeting("Madame, Monsieur", "Dear Sir or Madam,", "Hello,", "Yours faithfully,")
    return Greeting("", f"Dear {title} {family},", f"Dear {title} {family},", "Yours sincerely,")


def _civility_in_name(name: str) -> tuple[str | None, str]:
    first, _, rest = name.partition(" ")
    civility = NAME_PREFIXES.get(first.lower())
    return (civility, rest) if civility and rest else (None, name)


def _family_name(name: str) -> str:
    """"Stéphanie Roux" → "Roux"; "Jean de La Fontaine" → "de La Fontaine"; "Roux" → "Roux"."""
    first, _, rest = name.strip().partition(" ")
    return rest.strip() or first
