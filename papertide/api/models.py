"""Response models of the REST API (/api/v1): what the OpenAPI document promises."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from papertide.domain.papers import PaperEntry, abs_url, pdf_url


class ErrorDetail(BaseModel):
    code: int = Field(description="The HTTP status code.")
    message: str = Field(description="What went wrong, for people.")


class ErrorBody(BaseModel):
    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in {
        401: "Missing, invalid or revoked API token",
        403: "The token's scope does not allow this",
        404: "No such paper or resource",
        405: "Method not allowed",
        422: "Malformed parameters (dates, limits, cursors)",
        501: "Needs a capability this instance does not run",
    }.items()
}


class PaperOut(BaseModel):
    arxiv_id: str
    title: str
    abstract: str
    authors: list[str]
    categories: list[str]
    primary_category: str | None
    published: date | None
    published_approx: bool
    version: int
    github_repo: str | None
    keywords: list[str]
    withdrawn: bool
    upvotes: int
    num_comments: int
    listed_on: date | None = Field(None, description="The day it was (first) listed in this list's period.")
    submitter: str | None = None
    url: str = Field(description="The paper's page on this site.")
    abs_url: str
    pdf_url: str


class PaperDetailOut(PaperOut):
    listed_dates: list[date]


class PaperList(BaseModel):
    items: list[PaperOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class PeriodList(PaperList):
    period: str = Field(description="The day, ISO week or month listed, e.g. 2026-06-01, 2026-W22, 2026-06.")
    first: date
    last: date
    total: int


class ScoredPaperOut(PaperOut):
    score: float


class TrendingList(BaseModel):
    items: list[ScoredPaperOut]
    next_cursor: str | None
    as_of: datetime
    window_first: date
    window_last: date
    gravity: float
    window_days: int
    formula: str


class SearchList(BaseModel):
    items: list[ScoredPaperOut]
    next_cursor: str | None
    backend: str = Field(description="Which search service answered (`title-substring` is the fallback).")


class MeOut(BaseModel):
    user_uuid: str
    display_name: str
    scope: str
    token_uuid: str


def paper_out(entry: PaperEntry, base_url: str) -> dict[str, Any]:
    p = entry.paper
    return {
        "arxiv_id": p.arxiv_id, "title": p.title, "abstract": p.abstract, "authors": list(p.authors),
        "categories": list(p.categories), "primary_category": p.primary_category, "published": p.published,
        "published_approx": p.published_approx, "version": p.version, "github_repo": p.github_repo,
        "keywords": list(p.keywords), "withdrawn": p.withdrawn, "upvotes": entry.upvotes,
        "num_comments": entry.num_comments, "listed_on": entry.listed_on, "submitter": entry.submitter_name,
        "url": f"{base_url}/papers/{p.arxiv_id}", "abs_url": abs_url(p.arxiv_id), "pdf_url": pdf_url(p.arxiv_id),
    }
