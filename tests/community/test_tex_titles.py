"""Collections and profiles show TeX titles as every other page does (MathML), not as typed."""

from tests.community.conftest import post, sign_in
from tests.factories import add_papers, make_paper

TEX = r"Sorting in $\mathcal{O}(n \log n)$ time"


def test_a_collection_and_a_profile_render_tex_titles(client, db):
    add_papers(db, make_paper("2606.00001", title=TEX))
    me = sign_in(client, "reader@example.org")
    assert post(client, "/vote/2606.00001", {"state": "on"}).status_code in (200, 303)
    r = post(client, "/collections", {"arxiv_id": "2606.00001", "name": "Reading list"})
    collection = client.app.state.services.community.reading_lists.mine(me)[0]
    for path in (f"/collections/{collection.uuid}", "/profile"):
        page = client.get(path).text
        assert "<math" in page and r"\mathcal" not in page, path
    assert r.status_code == 303
