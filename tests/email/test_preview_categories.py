"""A digest preview for categories that do not exist says so, naming them, instead of
rendering a digest without their sections (the CLI exits 2, as for other bad input)."""

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from papertide.cli import app as cli
from tests.factories import app_for

TYPO = "'cs.LGG' is not an arXiv category. Did you mean cs.LG (Machine Learning)?"
UNKNOWN = "'zz.AB' is not an arXiv category. Codes look like cs.LG, math.AP or hep-th."


def test_cli_preview_names_unknown_categories_on_one_line_and_exits_2(sqlite_db, june_papers_sqlite, monkeypatch):
    monkeypatch.setenv("PAPERTIDE_DATABASE_URL", sqlite_db.url)
    runner = CliRunner()
    r = runner.invoke(cli, ["digest", "preview", "--categories", "cs.CL,cs.LGG,zz.AB", "--no-trending"])
    assert (r.exit_code, r.output.strip()) == (2, f"{TYPO} {UNKNOWN}")
    ok = runner.invoke(cli, ["digest", "preview", "--categories", "cs.lg", "--no-trending"])  # any case is cs.LG
    assert ok.exit_code == 0 and "Latent diffusion for proteins" in ok.output


def test_web_preview_names_unknown_categories(sqlite_mail_settings, sqlite_db, june_papers_sqlite):
    with TestClient(app_for(sqlite_mail_settings, sqlite_db)) as client:
        r = client.get("/digest/preview", params={"categories": "cs.LGG"})
    assert r.status_code == 400 and "is not an arXiv category. Did you mean cs.LG" in r.text
