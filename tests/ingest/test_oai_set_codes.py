"""PAPERTIDE_INGEST_OAI_SETS takes OAI-PMH sets; a lab lead naming the categories the lab reads
("cs.CL,cs.LG", "hep-th") was accepted, and every nightly harvest then failed at arXiv with its
badArgument. Such a value is refused at start-up (and by `ingest oai --set`) with the set to use."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from papertide.cli import app
from papertide.config import Settings


@pytest.mark.parametrize(("value", "told"), [
    ("cs.CL,cs.LG", "'cs.CL' is an arXiv category, not an OAI-PMH set: harvest the set cs"),
    ("cs, hep-th", "'hep-th' is an arXiv category, not an OAI-PMH set: harvest the set physics:hep-th"),
    ("astro-ph.CO", "harvest the set physics:astro-ph"),
    ("stat.ml", "harvest the set stat"),
])
def test_a_category_code_where_a_set_belongs_is_refused_with_the_set_that_holds_it(value, told):
    with pytest.raises(ValidationError) as caught:
        Settings(ingest_oai_sets=value, _env_file=None)  # type: ignore[call-arg]
    assert told in str(caught.value)


def test_sets_as_arxiv_names_them_are_accepted():
    sets = "cs,math,physics:astro-ph,physics:hep-th,stat,q-bio,eess,econ,cs:cs:CL"
    assert Settings(ingest_oai_sets=sets, _env_file=None).ingest_oai_sets == sets  # type: ignore[call-arg]


def test_ingest_oai_refuses_a_category_as_its_set_before_any_request(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    result = CliRunner().invoke(app, ["ingest", "oai", "--set", "cs.CL"])
    assert result.exit_code == 2 and "harvest the set cs" in " ".join(result.output.split())
