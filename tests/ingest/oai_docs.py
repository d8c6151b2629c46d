"""Format-faithful arXiv OAI-PMH and Atom documents generated from CC0 records (the demo corpus).

They follow OAI-PMH 2.0 and arXiv's arXiv.xsd / arXivRaw.xsd and the API's Atom
layout, so the parsers are tested on what arXiv serves without touching the internet.
Also used by bench/ingest_bench.py to build a 10k-record page set.
"""

from __future__ import annotations

import gzip
import json
from datetime import date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

DELETED_ATTR = ' status="deleted"'
DEMO = Path(__file__).resolve().parents[2] / "papertide" / "data" / "demo_papers.jsonl.gz"

OAI_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
    "<responseDate>{now}</responseDate>\n"
)


def demo_records(limit: int | None = None) -> list[dict]:
    out = []
    with gzip.open(DEMO, "rt", encoding="utf-8") as fh:
        for line in fh:
            out.append(json.loads(line))
            if limit and len(out) >= limit:
                break
    return out


def _wrap(text: str, width: int = 78) -> str:
    """arXiv hard-wraps abstracts and titles; paragraphs start with an indented line."""
    out = []
    for para in text.split("\n"):
        line, lines = "", []
        for word in para.split():
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
        out.append("\n".join(lines))
    return "  " + "\n  ".join(out)


def _day(rec: dict) -> date:
    return date.fromisoformat(rec.get("published") or "2026-06-01")


def record_datestamp(rec: dict) -> date:
    return _day(rec) + timedelta(days=1)


def arxiv_raw_metadata(rec: dict, versions: int = 1, comments: str = "") -> str:
    v1 = datetime.combine(_day(rec), datetime.min.time()).replace(hour=17, minute=59)
    vs = "".join(
        f'<version version="v{n}"><date>{format_datetime(v1 + timedelta(days=7 * (n - 1)), usegmt=False)}'
        f"</date><size>{100 + n}kb</size><source_type>D</source_type></version>\n"
        for n in range(1, versions + 1)
    )
    authors = ", ".join(rec["authors"][:-1]) + (" and " if len(rec["authors"]) > 1 else "") + (rec["authors"] or [""])[-1]
    return (
        '<arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://arxiv.org/OAI/arXivRaw/ http://arxiv.org/OAI/arXivRaw.xsd">\n'
        f"<id>{escape(rec['arxiv_id'])}</id><submitter>{escape((rec['authors'] or ['Anon'])[0])}</submitter>\n{vs}"
        f"<title>{escape(_wrap(rec['title']).strip())}</title>\n<authors>{escape(authors)}</authors>\n"
        f"<categories>{escape(' '.join(rec.get('categories') or ['cs.LG']))}</categories>\n"
        + (f"<comments>{escape(comments)}</comments>\n" if comments else "")
        + "<license>http://creativecommons.org/publicdomain/zero/1.0/</license>\n"
        f"<abstract>{escape(_wrap(rec['abstract']))}\n</abstract>\n</arXivRaw>"
    )


def arxiv_metadata(rec: dict, comments: str = "") -> str:
    authors = []
    for name in rec["authors"]:
        first, _, last = name.rpartition(" ")
        forenames = f"<forenames>{escape(first)}</forenames>" if first else ""
        authors.append(f"<author><keyname>{escape(last)}</keyname>{forenames}</author>")
    return (
        '<arXiv xmlns="http://arxiv.org/OAI/arXiv/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://arxiv.org/OAI/arXiv/ http://arxiv.org/OAI/arXiv.xsd">\n'
        f"<id>{escape(rec['arxiv_id'])}</id><created>{_day(rec).isoformat()}</created>\n"
        f"<authors>{''.join(authors)}</authors>\n<title>{escape(_wrap(rec['title']).strip())}</title>\n"
        f"<categories>{escape(' '.join(rec.get('categories') or ['cs.LG']))}</categories>\n"
        + (f"<comments>{escape(comments)}</comments>\n" if comments else "")
        + f"<license>http://creativecommons.org/publicdomain/zero/1.0/</license>\n<abstract>{escape(_wrap(rec['abstract']))}\n</abstract>\n</arXiv>"
    )


def oai_record(rec: dict, prefix: str = "arXivRaw", deleted: bool = False, versions: int = 1, comments: str = "") -> str:
    sets = sorted({c.split(".")[0] for c in rec.get("categories") or ["cs"]})
    header = (
        f"<header{DELETED_ATTR if deleted else ''}><identifier>oai:arXiv.org:{escape(rec['arxiv_id'])}</identifier>"
        f"<datestamp>{record_datestamp(rec).isoformat()}</datestamp>"
        + "".join(f"<setSpec>{escape(s)}</setSpec>" for s in sets)
        + "</header>"
    )
    if deleted:
        return f"<record>{header}</record>\n"
    meta = arxiv_raw_metadata(rec, versions, comments) if prefix == "arXivRaw" else arxiv_metadata(rec, comments)
    return f"<record>{header}\n<metadata>\n{meta}\n</metadata>\n</record>\n"


def list_records_page(
    records_xml: list[str], request_attrs: dict[str, str], token: str | None, cursor: int, size: int, base_url: str = "http://127.0.0.1/oai"
) -> bytes:
    attrs = " ".join(f"{k}={quoteattr(v)}" for k, v in request_attrs.items())
    tok = ""
    if token is not None:
        tok = f'<resumptionToken cursor="{cursor}" completeListSize="{size}">{escape(token)}</resumptionToken>\n'
    return (
        OAI_HEAD.format(now=datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"))
        + f"<request {attrs}>{escape(base_url)}</request>\n<ListRecords>\n"
        + "".join(records_xml)
        + tok
        + "</ListRecords>\n</OAI-PMH>\n"
    ).encode()


def oai_error(code: str, message: str, request_attrs: dict[str, str] | None = None) -> bytes:
    attrs = " ".join(f"{k}={quoteattr(v)}" for k, v in (request_attrs or {}).items())
    return (
        OAI_HEAD.format(now=datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"))
        + f"<request {attrs}>http://127.0.0.1/oai</request>\n"
        + f"<error code={quoteattr(code)}>{escape(message)}</error>\n</OAI-PMH>\n"
    ).encode()


def atom_entry(rec: dict, version: int = 1, comment: str = "") -> str:
    published = f"{_day(rec).isoformat()}T17:59:59Z"
    updated = f"{(_day(rec) + timedelta(days=7 * (version - 1))).isoformat()}T12:00:00Z"
    cats = rec.get("categories") or ["cs.LG"]
    return (
        f"<entry>\n<id>http://arxiv.org/abs/{rec['arxiv_id']}v{version}</id>\n<updated>{updated}</updated>\n"
        f"<published>{published}</published>\n<title>{escape(_wrap(rec['title']).strip())}</title>\n"
        f"<summary>{escape(_wrap(rec['abstract']))}\n</summary>\n"
        + "".join(f"<author>\n<name>{escape(a)}</name>\n</author>\n" for a in rec["authors"])
        + (f'<arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">{escape(comment)}</arxiv:comment>\n' if comment else "")
        + f'<link href="http://arxiv.org/abs/{rec["arxiv_id"]}v{version}" rel="alternate" type="text/html"/>\n'
        f'<link title="pdf" href="http://arxiv.org/pdf/{rec["arxiv_id"]}v{version}" rel="related" type="application/pdf"/>\n'
        f'<arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="{cats[0]}" scheme="http://arxiv.org/schemas/atom"/>\n'
        + "".join(f'<category term="{c}" scheme="http://arxiv.org/schemas/atom"/>\n' for c in cats)
        + "</entry>\n"
    )


def atom_error_entry(bad_id: str) -> str:
    return (
        f"<entry>\n<id>http://arxiv.org/api/errors#incorrect_id_format_for_{escape(bad_id)}</id>\n"
        f"<title>Error</title>\n<summary>incorrect id format for {escape(bad_id)}</summary>\n"
        "<updated>2026-06-02T00:00:00-04:00</updated>\n"
        '<link href="http://arxiv.org/api/errors#incorrect_id_format" rel="alternate" type="text/html"/>\n'
        "<author>\n<name>arXiv api core</name>\n</author>\n</entry>\n"
    )


def atom_feed(entries: list[str], query: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f'<link href="http://arxiv.org/api/query?{escape(query)}" rel="self" type="application/atom+xml"/>\n'
        f"<title type=\"html\">ArXiv Query: {escape(query)}</title>\n<id>http://arxiv.org/api/test</id>\n"
        "<updated>2026-06-02T00:00:00-04:00</updated>\n"
        f'<opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{len(entries)}</opensearch:totalResults>\n'
        '<opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>\n'
        f'<opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{len(entries)}</opensearch:itemsPerPage>\n'
        + "".join(entries)
        + "</feed>\n"
    ).encode()
