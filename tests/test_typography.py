"""French typography is applied once, to every document, without touching markup or links."""

from __future__ import annotations

import pytest

from relancegen.documents.typography import french_spacing, french_spacing_html

N = "\u202f"


@pytest.mark.parametrize(("text", "expected"), [
    ("Montant : 120,00 €", f"Montant{N}: 120,00 €"),
    ("Pourquoi ? Parce que ; voilà !", f"Pourquoi{N}? Parce que{N}; voilà{N}!"),
    ("Un oubli?", f"Un oubli{N}?"),
    ("« mise en demeure »", f"«{N}mise en demeure{N}»"),
    ("«mise en demeure»", f"«{N}mise en demeure{N}»"),
    ("Payer sur https://pay.example.fr/F-1?amount=12 à 10:30", "Payer sur https://pay.example.fr/F-1?amount=12 à 10:30"),
    (f"déjà juste{N}: rien", f"déjà juste{N}: rien"),
])
def test_french_spacing(text, expected):
    assert french_spacing(text) == expected


def test_html_text_changes_markup_does_not():
    html = ('<style>p:first-child { color: red; }</style><p title="a : b">Objet : relance &amp; suite ?</p>'
            '<a href="https://x.example/?a=1">lien</a><!-- note : ici -->')
    assert french_spacing_html(html) == (
        f'<style>p:first-child {{ color: red; }}</style><p title="a : b">Objet{N}: relance &amp; suite{N}?</p>'
        '<a href="https://x.example/?a=1">lien</a><!-- note : ici -->'
    )
