"""Greetings follow the contact's civility: "Madame," / "Bonjour Madame Roux,", never
"Bonjour Service comptabilité" nor "Madame, Monsieur" to a named consumer."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from relancegen.cli import main
from relancegen.documents.greetings import greeting_for
from relancegen.site.model import Address, Client, Contact

ADDRESS = Address(lines=("1 rue X",), postcode="69002", city="Lyon")


@pytest.mark.parametrize(("kind", "client_name", "contact", "letter", "email", "courtesy"), [
    ("b2b", "Boulangerie SAS", Contact("Stéphanie Roux", civility="Mme"), "Madame,", "Bonjour Madame Roux,", "Madame"),
    ("b2b", "Garage SARL", Contact("Jean de La Fontaine", civility="M."), "Monsieur,", "Bonjour Monsieur de La Fontaine,", "Monsieur"),
    ("public", "Commune", Contact("Service comptabilité"), "Madame, Monsieur,", "Bonjour,", "Madame, Monsieur"),
    ("b2c", "Mme Julie Moreau", Contact("Julie Moreau"), "Madame,", "Bonjour Madame Moreau,", "Madame"),
    ("b2c", "M. Thomas Girard", None, "Monsieur,", "Bonjour Monsieur Girard,", "Monsieur"),
])
def test_greeting_for(kind, client_name, contact, letter, email, courtesy):
    client = Client(id="c", name=client_name, address=ADDRESS, kind=kind, contacts=(contact,) if contact else ())
    greeting = greeting_for(client, contact)
    assert (greeting.letter, greeting.email, greeting.courtesy) == (letter, email, courtesy)


def test_documents_greet_the_contact_by_civility(site_factory):
    site_dir = site_factory(
        clients=[{"id": "client-a", "name": "Client A SAS", "address": {"lines": ["2 rue du Client"], "postcode": "69003", "city": "Lyon"},
                  "contacts": [{"name": "Stéphanie Roux", "civility": "Mme", "role": "accounting", "email": "s.roux@client-a.example"}]}],
        invoices=[{"number": "F-1", "client": "client-a", "issued": "2026-09-01", "due": "2026-10-01", "amount": "100.00"}],
        site={"as_of": "2026-11-22"},
    )
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir), "--all-stages"])
    assert result.exit_code == 0, result.output
    email = (site_dir / "_site/client-a/reminder/email.txt").read_text(encoding="utf-8")
    assert email.startswith("Bonjour Madame Roux,")
    letter = (site_dir / "_site/client-a/formal_notice/letter.html").read_text(encoding="utf-8")
    assert "<p>Madame,</p>" in letter and "agréer, Madame, l" in letter and "Madame, Monsieur" not in letter


@pytest.mark.parametrize(("contact", "letter", "email", "sign_off"), [
    (Contact("Stéphanie Roux", civility="Mme"), "Dear Ms Roux,", "Dear Ms Roux,", "Yours sincerely,"),
    (Contact("Karim Benali", civility="M."), "Dear Mr Benali,", "Dear Mr Benali,", "Yours sincerely,"),
    (Contact("Accounts department"), "Dear Sir or Madam,", "Hello,", "Yours faithfully,"),
])
def test_english_greetings(contact, letter, email, sign_off):
    client = Client(id="c", name="Firm Ltd", address=ADDRESS, contacts=(contact,))
    greeting = greeting_for(client, contact, "en")
    assert (greeting.letter, greeting.email, greeting.sign_off) == (letter, email, sign_off)


def test_the_window_names_a_person_for_attention_and_a_department_as_its_own_line(tmp_path):
    """NF Z10-011's second line: "À l'attention de Sophie Vial" for a person, but a department
    stands alone ("Service comptabilité", never "À l'attention de Service comptabilité")."""
    from pathlib import Path

    from relancegen.testing import run_poppler

    example = Path(__file__).parent.parent
    for client_id, expected, absent in (("mairie-caluire", "Commune de Caluire-et-Cuire Service comptabilité Service des finances", "l'attention de Service"),
                                        ("transports-vial", "Transports Vial et Fils SARL À l'attention de Sophie Vial", None)):
        result = CliRunner().invoke(main, ["build", "--site", str(example), "--out", str(tmp_path / client_id), "--client", client_id, "--all-stages"])
        assert result.exit_code == 0, result.output
        text = " ".join(run_poppler("pdftotext", tmp_path / client_id / client_id / "overdue/letter.pdf", "-").split())
        assert expected in text, text
        assert absent is None or absent not in text
