"""The maileva channel against a local HTTP server implementing the API's contract, with
faults: a 500, an expired token, a connection dropped after the submission was accepted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from postal_server import CREDENTIALS, PostalApi
from relancegen.cli import main
from relancegen.testing import run_poppler
from relancegen_postal import address_lines
from relancegen_postal.maileva import AddressError
from example_site import TEST_RATES  # the 2026-S2 rates, test values: registered letters are built, not held

ENV = {"MLV_CLIENT_ID": CREDENTIALS["client_id"], "MLV_CLIENT_SECRET": CREDENTIALS["client_secret"],
       "MLV_USER": CREDENTIALS["username"], "MLV_PASSWORD": CREDENTIALS["password"]}


@pytest.fixture
def api(monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    with PostalApi() as server:
        yield server


def make_site(site_factory, api: PostalApi, name: str = "Client A SAS", lines: list[str] | None = None) -> Path:
    settings = {"plugin": "maileva", "base_url": api.base_url, "auth_url": api.auth_url, "client_id_env": "MLV_CLIENT_ID",
                "client_secret_env": "MLV_CLIENT_SECRET", "username_env": "MLV_USER", "password_env": "MLV_PASSWORD",
                "retries": 2, "retry_delay": 0.01, "timeout": 5}
    client = {"id": "client-a", "name": name, "address": {"lines": lines or ["2 rue du Client"], "postcode": "69003", "city": "LYON"},
              "contacts": [{"name": "Compta", "role": "accounting", "email": "c@client-a.example"}]}
    journal = [{"time": "2026-10-20T09:00:00+02:00", "client": "client-a", "stage": "overdue", "channel": "email", "invoices": ["F-1"], "status": "sent"}]
    site_dir = site_factory(clients=[client], journal=journal, site={"as_of": "2026-11-10"},
                            invoices=[{"number": "F-1", "client": "client-a", "issued": "2026-09-01", "due": "2026-10-01", "amount": "900.00", "subject": "Conseil"}],
                            channels={"registered_post": settings, "post": settings}, rates=TEST_RATES)
    assert CliRunner().invoke(main, ["build", "--site", str(site_dir)]).exit_code == 0
    return site_dir


def send(site_dir: Path):
    return CliRunner().invoke(main, ["send", "--site", str(site_dir)])


def journal(site_dir: Path) -> list[dict]:
    """Every journal entry, oldest first (file order alone is not time order)."""
    entries = [json.loads(line) for path in sorted((site_dir / "journal").glob("*.jsonl")) for line in path.read_text(encoding="utf-8").splitlines()]
    return sorted(entries, key=lambda entry: entry["time"])


def test_registered_letter_goes_out_with_acknowledgement(site_factory, api):
    site_dir = make_site(site_factory, api)
    result = send(site_dir)
    assert result.exit_code == 0, result.output
    (sending,) = api.submitted()
    assert sending["options"]["acknowledgement_of_receipt"] is True
    assert sending["options"]["custom_id"] == journal(site_dir)[-1]["delivery_id"]
    assert sending["options"]["sender_address_line_1"] == "Atelier Test SARL"
    assert len(sending["documents"]) == 2  # the penalties letter, then the statement
    (recipient,) = sending["recipients"].values()
    assert recipient["address_line_1"] == "Client A SAS" and recipient["address_line_6"] == "69003 LYON"
    sent = journal(site_dir)[-1]
    assert sent["status"] == "sent" and sent["stage"] == "penalties" and sent["channel"] == "registered_post"
    assert sent["proof"]["product"] == "registered_mail_with_acknowledgement"
    assert [d["name"] for d in sent["proof"]["documents"]] == ["letter.pdf", "statement.pdf"]


def test_long_names_and_streets_are_wrapped_to_38_characters(site_factory, api):
    name = "Société Coopérative des Artisans Menuisiers du Grand Lyon"
    street = "Zone d'activités des Grandes Terres, 1234 avenue du Maréchal de Lattre"
    site_dir = make_site(site_factory, api, name=name, lines=[street])
    assert send(site_dir).exit_code == 0
    (recipient,) = api.submitted()[0]["recipients"].values()
    lines = [recipient.get(f"address_line_{i}", "") for i in range(1, 7)]
    assert all(len(line) <= 38 for line in lines)
    assert " ".join(lines[:2]).strip() == name
    assert lines[5] == "69003 LYON"


def test_an_address_that_cannot_fit_fails_clearly():
    with pytest.raises(ValueError, match="needs 7 lines; at most 6 of 38 characters"):
        address_lines("X", ("line one", "line two", "line three", "line four", "line five", "69000 LYON"))


def test_expired_token_is_refreshed_transparently(site_factory, api):
    site_dir = make_site(site_factory, api)
    api.expire_token_once = True
    assert send(site_dir).exit_code == 0
    assert len(api.submitted()) == 1
    assert api.token_requests == 2


def test_a_500_on_submit_is_retried_after_checking_the_sending(site_factory, api):
    site_dir = make_site(site_factory, api)
    api.fail_submits = 1
    assert send(site_dir).exit_code == 0
    assert len(api.submitted()) == 1


def test_persistent_500_fails_and_a_later_send_sends_once(site_factory, api):
    site_dir = make_site(site_factory, api)
    api.fail_submits = 10
    result = send(site_dir)
    assert result.exit_code == 1 and "500" in result.output
    assert api.submitted() == []
    api.fail_submits = 0
    assert send(site_dir).exit_code == 0
    assert len(api.submitted()) == 1


def test_dropped_connection_after_acceptance_is_unknown_and_never_resent(site_factory, api):
    site_dir = make_site(site_factory, api)
    api.drop_next_submit = True
    first = send(site_dir)
    assert "1 unknown" in first.output
    second = send(site_dir)
    assert "1 unknown" in second.output and "0 sent" in second.output
    assert len(api.submitted()) == 1  # one letter, whatever happened
    assert [e["status"] for e in journal(site_dir) if e.get("delivery_id")] == ["attempt", "unknown"]


def test_track_stores_proofs_and_journals_each_change(site_factory, api):
    site_dir = make_site(site_factory, api)
    assert send(site_dir).exit_code == 0
    outputs = [CliRunner().invoke(main, ["track", "--site", str(site_dir)]).output for _ in range(4)]
    assert "PENDING" in outputs[0] and "DEPOSITED" in outputs[1] and "DELIVERED" in outputs[2]
    tracked = [e for e in journal(site_dir) if e["status"] == "tracked"]
    assert [e["proof"]["status"] for e in tracked] == ["PENDING", "DEPOSITED", "DELIVERED"]  # the 4th poll changed nothing
    proofs = tracked[-1]["proof"]["proofs"]
    assert set(proofs) == {"deposit_proof", "delivery_proof"}
    assert (site_dir / proofs["delivery_proof"]["file"]).read_bytes().startswith(b"%PDF")
    assert tracked[-1]["proof"]["tracking_number"].startswith("1A")
    # Tracking never counts as a new stage: a build again on the same day decides the same
    # act (the engine reads the acts dated before the build date), and nothing new goes out.
    result = CliRunner().invoke(main, ["build", "--site", str(site_dir)])
    assert "penalties" in result.output
    again = send(site_dir).output
    assert "0 sent" in again and "1 already sent" in again


def test_no_secret_in_any_file_or_output(site_factory, api):
    site_dir = make_site(site_factory, api)
    outputs = [send(site_dir).output, CliRunner().invoke(main, ["track", "--site", str(site_dir)]).output]
    secrets = [CREDENTIALS["client_secret"], CREDENTIALS["password"]]
    for secret in secrets:
        assert all(secret not in output for output in outputs)
        for path in site_dir.rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path


def test_a_long_name_is_never_cut_silently():
    """Under 76 characters but three lines once wrapped at word boundaries: refused whole,
    never sent with its last words dropped."""
    name = "Groupement d'Intérêt Économique Interprofessionnel Rhône-Alpes Auvergne SARL"
    assert len(name) <= 76
    with pytest.raises(AddressError, match="needs 3 lines of 38 characters and a postal address gives it two"):
        address_lines(name, ("2 rue du Client", "69003 LYON"))
    two_lines = address_lines("Établissements Industriels Réunis de la Vallée", ("2 rue du Client", "69003 LYON"))
    assert " ".join(two_lines[:2]) == "Établissements Industriels Réunis de la Vallée"


def test_the_registered_letter_encloses_the_invoice_copy_it_announces(site_factory, api):
    site_dir = make_site(site_factory, api)
    (site_dir / "invoices").mkdir()
    (site_dir / "invoices/F-1.pdf").write_bytes((site_dir / "_site/client-a/penalties/statement.pdf").read_bytes())
    invoices = site_dir / "data/invoices.yml"
    invoices.write_text(invoices.read_text(encoding="utf-8").replace("subject: Conseil", "subject: Conseil\n  file: invoices/F-1.pdf"), encoding="utf-8")
    assert CliRunner().invoke(main, ["build", "--site", str(site_dir)]).exit_code == 0
    letter = run_poppler("pdftotext", site_dir / "_site/client-a/penalties/letter.pdf", "-").replace("\u202f", " ")
    assert "Pièces jointes : copie de la facture F-1 ; décompte des pénalités de retard." in " ".join(letter.split())
    assert send(site_dir).exit_code == 0
    (sending,) = api.submitted()
    assert [d["name"] for d in journal(site_dir)[-1]["proof"]["documents"]] == ["letter.pdf", "statement.pdf", "F-1.pdf"]
    assert len(sending["documents"]) == 3


def test_a_letter_announces_no_invoice_copy_it_does_not_enclose(site_factory, api):
    site_dir = make_site(site_factory, api)
    letter = " ".join(run_poppler("pdftotext", site_dir / "_site/client-a/penalties/letter.pdf", "-").replace("\u202f", " ").split())
    assert "Pièce jointe : décompte des pénalités de retard." in letter and "copie de la facture" not in letter
