"""The agency case file, the journal's hash chain and `relancegen record`."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

from click.testing import CliRunner
from pypdf import PdfReader

from relancegen.cli import main

EXAMPLE = Path(__file__).parent.parent


def copy_example(tmp_path: Path) -> Path:
    import shutil

    site = tmp_path / "site"
    shutil.copytree(EXAMPLE, site, ignore=shutil.ignore_patterns(".git", ".venv", "_site", "exports", "tests", "bench", "*.egg-info"))
    return site


def test_agency_export_writes_a_complete_case_file(tmp_path):
    site = copy_example(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--site", str(site), "--client", "menuiserie-fabre"]).exit_code == 0
    result = runner.invoke(main, ["send", "--site", str(site), "--medium", "agency"])
    assert result.exit_code == 3, result.output  # sent; and a call waits for a person (the to-do)
    assert "1 sent" in result.output and "Calls to make" in result.output
    (archive_path,) = (site / "exports").glob("menuiserie-fabre-*.zip")
    archive = zipfile.ZipFile(archive_path)
    assert archive.namelist() == ["case.json", "invoices.csv", "pieces/00-bordereau.pdf", "pieces/01-case-summary.pdf", "pieces/02-debit-note.pdf",
                                  "pieces/03-letter.pdf", "pieces/04-F-2026-0121.pdf"]  # the debit note (F-2026-0098 paid late), the copy of the invoice claimed

    case = json.loads(archive.read("case.json"))
    assert case["debtor"]["name"] == "Menuiserie Fabre EURL"
    # Principal, interest and indemnity kept apart; 4 200 principal, 40 € indemnity on F-2026-0121 and
    # 40 € on F-2026-0098, paid late: the debit note's penalties are the agency's to recover too.
    assert case["claim"]["principal"] == "4200.00" and case["claim"]["indemnity"] == "80.00"
    assert case["claim"]["total"] == f"{4200 + 80 + float(case['claim']['interest']):.2f}"
    assert [(i["number"], i["paid_late"]) for i in case["invoices"]] == [("F-2026-0121", False), ("F-2026-0098", True)]
    stages = [entry["stage"] for entry in case["history"]]
    assert stages == ["reminder", "call", "overdue", "penalties", "formal_notice"]
    assert case["history"][-1]["proof"]["tracking"] == "1A00123456999"  # the LRAR proof
    assert [e["file"] for e in case["exhibits"]] == ["01-case-summary.pdf", "02-debit-note.pdf", "03-letter.pdf", "04-F-2026-0121.pdf"]

    rows = list(csv.reader(io.StringIO(archive.read("invoices.csv").decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Facture", "Date", "Échéance"]
    assert rows[1][0] == "F-2026-0121" and rows[1][4] == "4200,00"

    bordereau = PdfReader(io.BytesIO(archive.read("pieces/00-bordereau.pdf"))).pages[0].extract_text()
    assert "Bordereau de pièces" in bordereau and "03-letter.pdf" in bordereau

    journal = [json.loads(line) for line in (site / "journal/2026.jsonl").read_text(encoding="utf-8").splitlines()]
    assert journal[-1]["status"] == "sent" and journal[-1]["channel"] == "agency"
    assert journal[-1]["proof"]["archive"] == archive_path.name
    # The exhibits are the bytes kept as evidence; the archive is kept there too.
    evidence = site / "journal/evidence"
    kept = {d["sha256"] for d in journal[-2]["documents"]}
    assert {hashlib.sha256(archive.read(name)).hexdigest() for name in ("pieces/01-case-summary.pdf", "pieces/02-debit-note.pdf", "pieces/03-letter.pdf")} <= kept
    assert all((evidence / digest).is_file() for digest in kept)
    assert (evidence / journal[-1]["proof"]["sha256"]).read_bytes() == archive_path.read_bytes()


def test_record_journals_a_call_with_a_promise_and_the_chain_detects_tampering(tmp_path):
    site = copy_example(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["record", "--site", str(site), "--client", "garage-des-brotteaux", "--stage", "call",
                                  "--note", "M. Benali règle le 30/11", "--promise-date", "2026-11-30", "--promise-amount", "3120"])
    assert result.exit_code == 0, result.output
    lines = (site / "journal/2026.jsonl").read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[-1])
    assert entry["status"] == "recorded" and entry["invoices"] == ["F-2026-0270"]
    assert entry["promise"] == {"date": "2026-11-30", "amount": "3120.00"}
    assert len(entry["prev"]) == 64

    assert runner.invoke(main, ["record", "--site", str(site), "--client", "garage-des-brotteaux", "--stage", "call", "--note", "second"]).exit_code == 0
    check = runner.invoke(main, ["check", "--site", str(site)])
    assert "hash chain is broken" not in check.output

    tampered = (site / "journal/2026.jsonl").read_text(encoding="utf-8").replace("M. Benali règle le 30/11", "M. Benali a tout payé")
    (site / "journal/2026.jsonl").write_text(tampered, encoding="utf-8")
    check = runner.invoke(main, ["check", "--site", str(site)])
    assert "journal/2026.jsonl:33: warning: prev: the hash chain is broken" in check.output


def test_record_rejects_an_unknown_client():
    result = CliRunner().invoke(main, ["record", "--site", str(EXAMPLE), "--client", "nobody", "--stage", "call", "--note", "x"])
    assert result.exit_code == 1 and "unknown client 'nobody'" in result.output
