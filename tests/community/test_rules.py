"""Pure rules: permissions, submission rules, vote toggling, rate limits, input checks, exports."""

from datetime import UTC, date, datetime, timedelta

import pytest

from papertide.community.ratelimits import RateLimiter
from papertide.domain import permissions as perm
from papertide.domain.accounts import (
    InvalidInput,
    User,
    check_password,
    clean_display_name,
    default_display_name,
    is_usable_login_link,
    normalize_email,
)
from papertide.domain.collections import bibtex_key, clean_name, move, to_bibtex, to_csv
from papertide.domain.comments import clean_body
from papertide.domain.papers import Paper
from papertide.domain.ratelimits import Bucket, Policy, retry_after_header, take
from papertide.domain.submissions import SubmissionContext, SubmissionRules, check_submission
from papertide.domain.votes import count_delta, next_state, parse_wanted

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def user(role="member", status="active", uid=1):  # type: ignore[no-untyped-def]
    return User(uid, f"u-{uid}", f"u{uid}@example.org", f"User {uid}", role, status)


# -- permissions -------------------------------------------------------------------------

ROLE_TABLE = [
    # role, status, can act, can moderate, can administer
    ("member", "active", True, False, False),
    ("curator", "active", True, True, False),
    ("admin", "active", True, True, True),
    ("member", "banned", False, False, False),
    ("curator", "banned", False, False, False),
    ("admin", "banned", False, False, False),
]


@pytest.mark.parametrize(("role", "status", "acts", "moderates", "administers"), ROLE_TABLE)
def test_permission_table(role, status, acts, moderates, administers):
    u = user(role, status)
    assert [perm.can_act(u, a) for a in perm.ACTIONS] == [acts] * len(perm.ACTIONS)
    assert (perm.can_moderate(u), perm.can_administer(u)) == (moderates, administers)


def test_anonymous_can_do_nothing_and_unknown_actions_are_errors():
    assert [perm.can_act(None, a) for a in perm.ACTIONS] == [False] * len(perm.ACTIONS)
    assert (perm.can_moderate(None), perm.can_administer(None)) == (False, False)
    with pytest.raises(ValueError):
        perm.can_act(user(), "launch")


def test_comment_edit_window_and_ownership():
    me, other = user(uid=1), user(uid=2)
    made = NOW - timedelta(minutes=14)
    assert perm.can_edit_comment(me, 1, made, NOW, 15) is True
    assert perm.can_edit_comment(me, 1, NOW - timedelta(minutes=16), NOW, 15) is False
    assert perm.can_edit_comment(other, 1, made, NOW, 15) is False
    assert perm.can_edit_comment(user("admin", uid=3), 1, made, NOW, 15) is False  # admins hide, never rewrite
    assert perm.can_edit_comment(user(status="banned"), 1, made, NOW, 15) is False
    assert perm.can_edit_comment(None, 1, made, NOW, 15) is False
    assert (perm.can_delete_comment(me, 1), perm.can_delete_comment(other, 1), perm.can_delete_comment(None, 1)) == (
        True, False, False,
    )


def test_admins_ban_others_but_not_themselves():
    admin, member = user("admin", uid=1), user(uid=2)
    assert perm.can_ban(admin, member) is True
    assert perm.can_ban(admin, admin) is False
    assert perm.can_ban(user("curator", uid=3), member) is False
    assert perm.is_exempt_from_submission_rules(user("curator")) is True
    assert perm.is_exempt_from_submission_rules(user()) is False


# -- submissions -------------------------------------------------------------------------

RULES = SubmissionRules(max_age_days=7, daily_cap=2)
TODAY = date(2026, 6, 10)


@pytest.mark.parametrize(
    ("published", "listed", "count", "exempt", "expected"),
    [
        (date(2026, 6, 9), False, 0, False, None),
        (date(2026, 6, 3), False, 0, False, None),  # exactly 7 days old is fine
        (date(2026, 6, 2), False, 0, False, "more than 7 days ago"),
        (date(2026, 6, 2), False, 0, True, None),  # curators exempt from age
        (date(2026, 6, 9), False, 2, False, "today's limit of 2"),
        (date(2026, 6, 9), False, 9, True, None),  # and from the cap
        (date(2026, 6, 9), True, 0, False, "already on today's list"),
        (date(2026, 6, 9), True, 0, True, "already on today's list"),  # never from duplicates
        (None, False, 0, False, None),  # unknown publication date: allowed
    ],
)
def test_submission_rules(published, listed, count, exempt, expected):
    reason = check_submission(RULES, SubmissionContext(TODAY, published, listed, count, exempt))
    assert (reason is None) if expected is None else (expected in reason)


# -- votes -------------------------------------------------------------------------------


def test_vote_toggle_and_explicit_states():
    assert [parse_wanted(x) for x in ("", "toggle", "on", "UP", "1", "off", "down", "0")] == [
        None, None, True, True, True, False, False, False,
    ]
    with pytest.raises(ValueError):
        parse_wanted("sideways")
    assert [next_state(cur, want) for cur in (False, True) for want in (None, True, False)] == [
        True, True, False, False, True, False,
    ]
    assert [count_delta(a, b) for a in (False, True) for b in (False, True)] == [0, 1, -1, 0]


# -- rate limits -------------------------------------------------------------------------


def test_token_bucket_allows_a_burst_then_asks_to_wait_then_refills():
    policy = Policy(burst=3, per_minute=60)  # one token a second
    bucket, waits = None, []
    for _ in range(4):
        bucket, wait = take(bucket, policy, 100.0)
        waits.append(wait)
    assert waits == [0, 0, 0, 1.0]
    bucket, wait = take(bucket, policy, 101.0)
    assert wait == 0
    assert take(Bucket(0.0, 0.0), Policy(1, 0), 5.0)[1] == float("inf")
    assert [retry_after_header(x) for x in (0.01, 1.0, 1.2, 59.9)] == ["1", "1", "2", "60"]


def test_a_flood_of_refused_requests_does_not_reset_anyones_limits():
    # The limiter forgets buckets past a bound. Requests it refuses must not fill that bound, or
    # one address sending made-up emails wipes every limit, the per-account password limit too.
    limiter = RateLimiter(clock=lambda: 1000.0, max_buckets=50)
    for _ in range(5):
        assert limiter.check("sign-in-link", "victim@example.org", "198.51.100.7") == 0
    assert limiter.check("sign-in-link", "victim@example.org", "198.51.100.7") > 0
    flood = [limiter.check("sign-in-link", f"made-up-{i}@example.org", "203.0.113.9") for i in range(500)]
    assert flood.count(0) == 20 and all(w > 0 for w in flood[20:])  # the address's burst, then refused
    assert limiter.check("sign-in-link", "victim@example.org", "192.0.2.1") > 0  # still limited, from anywhere
    # Over the bound, what goes first is what has refilled anyway (it was as good as new).
    later = RateLimiter(clock=lambda: 1000.0, max_buckets=4)
    later.check("vote", "1", "192.0.2.1")
    later.clock = lambda: 5000.0  # the voter's buckets are full again
    for _ in range(5):
        assert later.check("sign-in-link", "victim@example.org", "198.51.100.7") == 0
    assert later.check("vote", "2", "192.0.2.2") == 0  # six buckets: the two idle ones make room
    assert later.check("sign-in-link", "victim@example.org", "198.51.100.7") > 0


# -- accounts input ----------------------------------------------------------------------


def test_email_names_and_passwords():
    assert normalize_email("  Ada@Example.ORG ") == "Ada@example.org"
    for bad in ("", "ada", "ada@", "@x.org", "a b@x.org", "a@x", "<a@x.org>", "a@x.org" + "x" * 400):
        with pytest.raises(InvalidInput):
            normalize_email(bad)
    assert clean_display_name("  Ada   Lovelace ") == "Ada Lovelace"
    for bad in ("", "   ", "x" * 61, "a\x00b"):
        with pytest.raises(InvalidInput):
            clean_display_name(bad)
    assert default_display_name("12345678-aaaa-bbbb") == "Reader 419896"  # 0x12345678 % 10**6
    assert check_password("correct horse battery", 12) == "correct horse battery"
    for bad in ("short", "aaaaaaaaaaaaaa", " " * 20, "x" * 1025):
        with pytest.raises(InvalidInput):
            check_password(bad, 12)


# Text that renders as nothing: zero-width and format characters, fillers that are not whitespace to
# str.split (Hangul fillers, the braille blank), no-break and ideographic spaces.
BLANK_LOOKING = ["\u200b", "\u200b\u200c\u200d\u2060\ufeff", "\u3164", "\u2800 \u2800", "\u00a0\u3000", "\u115f\u1160\uffa0",
                 "\u202e\u200f"]


@pytest.mark.parametrize("clean", [clean_display_name, clean_body, clean_name])
def test_text_that_shows_nothing_is_refused_like_empty_text(clean):  # type: ignore[no-untyped-def]
    for blank in BLANK_LOOKING:
        with pytest.raises(InvalidInput):
            clean(blank)
    # The same characters inside visible text are ordinary: emoji sequences, Persian, bidi marks.
    for fine in ("\U0001f469\u200d\U0001f52c lab notes", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u200fAda"):
        assert clean(fine) == fine


def test_login_links_work_once_and_only_before_expiry():
    exp = NOW + timedelta(minutes=15)
    assert is_usable_login_link(exp, None, NOW) is True
    assert is_usable_login_link(exp, NOW, NOW) is False
    assert is_usable_login_link(exp, None, exp) is False


# -- collections -------------------------------------------------------------------------

P1 = Paper("2405.12345", "Attention & {Braces} 100% $cheap_", "", ("Ada Lovelace", "Alan Turing"), ("cs.LG",), date(2024, 5, 20))
P2 = Paper("hep-th/9901001", "=HYPERLINK(\"http://evil\")", "", ("Ed Witten",), ("hep-th",), date(1999, 1, 4))


def test_move_reorders_one_step_and_stops_at_the_ends():
    assert move(["a", "b", "c"], "c", "up") == ["a", "c", "b"]
    assert move(["a", "b", "c"], "a", "up") == ["a", "b", "c"]
    assert move(["a", "b", "c"], "a", "down") == ["b", "a", "c"]
    with pytest.raises(InvalidInput):
        move(["a"], "z", "up")


def test_bibtex_export_escapes_latex_and_follows_arxiv_form():
    assert to_bibtex([P1]) == (
        "@misc{lovelace2024attention_240512345,\n"
        "  title = {{Attention \\& \\{Braces\\} 100\\% \\$cheap\\_}},\n"
        "  author = {Ada Lovelace and Alan Turing},\n"
        "  year = {2024},\n"
        "  eprint = {2405.12345},\n"
        "  archivePrefix = {arXiv},\n"
        "  primaryClass = {cs.LG},\n"
        "  url = {https://arxiv.org/abs/2405.12345}\n"
        "}\n"
    )
    assert bibtex_key(P2) == "witten1999hyperlink_hepth9901001"


def test_bibtex_keeps_group_names_and_names_with_a_comma_or_and_whole():
    odd = Paper("2405.12346", "T", "", ("CMS Collaboration", "Smith, Jr.", "Tom and Jerry", "The Qwen Team", "Andrea Anders"))
    assert "  author = {{CMS Collaboration} and {Smith, Jr.} and {Tom and Jerry} and {The Qwen Team} and Andrea Anders},\n" in (
        to_bibtex([odd]))


def test_csv_export_defuses_spreadsheet_formulas():
    assert to_csv([P1, P2]).splitlines() == [
        "arxiv_id,title,authors,categories,published,url",
        "2405.12345,Attention & {Braces} 100% $cheap_,Ada Lovelace; Alan Turing,cs.LG,2024-05-20,https://arxiv.org/abs/2405.12345",
        'hep-th/9901001,"\'=HYPERLINK(""http://evil"")",Ed Witten,hep-th,1999-01-04,https://arxiv.org/abs/hep-th/9901001',
    ]


def test_bibtex_titles_keep_their_math_as_tex_and_escape_the_rest():
    def title_line(title: str) -> str:
        entry = to_bibtex([Paper("2405.12345", title, "", ("Ada Lovelace",), ("cs.LG",), date(2024, 5, 1))])
        return entry.splitlines()[1]

    # was: "T\$\textasciicircum{}2\$PO", which prints the dollar signs and the caret
    assert title_line("T$^2$PO:  100% of  $\\mathcal{O}(n)$ & more") == (
        "  title = {{T$^2$PO: 100\\% of $\\mathcal{O}(n)$ \\& more}},")
    assert title_line("Scaling $n$ models for \\$5") == "  title = {{Scaling $n$ models for \\$5}},"
    # Math whose braces do not balance would break the entry: escaped like the text around it.
    assert title_line("Odd $}$ braces") == "  title = {{Odd \\$\\}\\$ braces}},"
    assert title_line("Tab $a & b$ 50%") == "  title = {{Tab $a \\& b$ 50\\%}},"


def _bibtex_back(entry: str) -> dict[str, object]:
    """The entry read back by a maintained BibTeX parser, TeX decoded as a reference manager does."""
    import bibtexparser
    from bibtexparser import middlewares

    lib = bibtexparser.parse_string(
        entry, append_middleware=[middlewares.LatexDecodingMiddleware(), middlewares.SeparateCoAuthors()])
    assert not lib.failed_blocks, entry
    (parsed,) = lib.entries
    return {f.key: f.value for f in parsed.fields}


def test_bibtex_backslashes_in_titles_and_names_print_as_backslashes_not_brace_soup():
    # was: "\textbackslash\{\}" (its braces escaped again), which prints "\{}"
    paper = Paper("2405.12345", r"Paths like C:\tmp and a \\ break", "", (r"Odd\Name",), ("cs.LG",), date(2024, 5, 1))
    entry = to_bibtex([paper])
    assert r"  title = {{Paths like C:\textbackslash{}tmp and a \textbackslash{}\textbackslash{} break}}," in entry
    assert r"  author = {Odd\textbackslash{}Name}," in entry
    back = _bibtex_back(entry)
    assert (back["title"], back["author"]) == (r"Paths like C:\tmp and a \\ break", [r"Odd\Name"])


def test_bibtex_keeps_text_style_commands_of_arxiv_titles():
    # arXiv titles are TeX: "\textsc{Spider}" came out as "\textbackslash\{\}textsc\{Spider\}"
    paper = Paper("2405.12345", r"\textsc{Spider}: \emph{100% of} $\mathcal{O}(n)$ & \textbf{my_lib}", "",
                  ("Ada Lovelace",), ("cs.LG",), date(2024, 5, 1))
    entry = to_bibtex([paper])
    assert r"  title = {{\textsc{Spider}: \emph{100\% of} $\mathcal{O}(n)$ \& \textbf{my\_lib}}}," in entry
    assert _bibtex_back(entry)["title"] == r"Spider: 100% of $\mathcal{O}(n)$ & my_lib"



def test_bibtex_keys_spell_accented_names_and_titles_in_ascii_and_skip_tex_commands():
    def key(title: str, *authors: str) -> str:
        return bibtex_key(Paper("2405.12345", title, "", authors, (), date(2024, 5, 1)))

    # were "alar2024volution_…", "mller2024textsc_…", "garca2024mathcal_…" and "jan2024deep_…"
    assert key("Évolution des réseaux", "Zoë Çağlar") == "caglar2024evolution_240512345"
    assert key(r"\textsc{Spider}: parsing", "M. Müller") == "muller2024spider_240512345"
    assert key(r"$\mathcal{O}(n)$ sorting", "José García") == "garcia2024sorting_240512345"
    assert key("Deep nets", "van der Berg, Jan") == "berg2024deep_240512345"
    assert key("Ошибки сети", "王小明") == "anon2024paper_240512345"


def test_bibtex_math_that_already_escapes_percent_hash_or_ampersand_is_kept_as_written():
    # arXiv titles write "$95\%$": escaped again it became "$95\\%$", a line break and then a
    # TeX comment that swallowed the rest of the title and its closing braces.
    paper = Paper("2405.12345", r"Reaching $95\%$ accuracy on $\#$P-hard $a\&b$ and $c & d$", "",
                  ("Ada Lovelace",), ("cs.LG",), date(2024, 5, 1))
    entry = to_bibtex([paper])
    assert r"  title = {{Reaching $95\%$ accuracy on $\#$P-hard $a\&b$ and $c \& d$}}," in entry
    assert "\\\\" not in entry


def test_bibtex_names_ending_in_jr_or_a_numeral_keep_their_last_name():
    # arXiv gives "forenames keyname suffix": BibTeX read "John Smith Jr." as the Jr. family,
    # so the reference list said "Jr., J. S." and the key began "jr".
    paper = Paper("2405.12345", "Deep nets", "", ("John Smith Jr.", "Jan van der Berg III", "Ada Lovelace"),
                  ("cs.LG",), date(2024, 5, 1))
    entry = to_bibtex([paper])
    assert "  author = {Smith, Jr., John and van der Berg, III, Jan and Ada Lovelace},\n" in entry
    assert entry.startswith("@misc{smith2024deep_240512345,")
    import bibtexparser
    from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts

    names = bibtexparser.parse_string(entry, append_middleware=[SeparateCoAuthors(), SplitNameParts()]).entries[0]["author"]
    assert [(n.first, n.von, n.last, n.jr) for n in names] == [
        (["John"], [], ["Smith"], ["Jr."]), (["Jan"], ["van", "der"], ["Berg"], ["III"]), (["Ada"], [], ["Lovelace"], []),
    ]


def test_bibtex_of_a_paper_without_authors_or_date_invents_no_person_and_dates_it_by_its_id():
    # was: author = {Unknown} (a person to BibTeX and Zotero) and no year at all
    new, old = Paper("2405.12347", "T", "", ()), Paper("hep-th/9901001", "T", "", ())
    assert "author" not in to_bibtex([new])
    assert "  year = {2024},\n" in to_bibtex([new]) and "  year = {1999},\n" in to_bibtex([old])
    # The key carries the same year as the entry: it was "anonpaper_hepth9901001", with no year.
    assert (bibtex_key(new), bibtex_key(old)) == ("anon2024paper_240512347", "anon1999paper_hepth9901001")
