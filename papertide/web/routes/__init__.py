"""Every router of the site, in the order the app includes them.

Order matters where paths overlap: ``api_v1_community`` before ``api_v1`` (whose
``/papers/{arxiv_id:path}`` would swallow ``/papers/<id>/comments``), and ``papers``
last (its ``/papers/{id}`` catch-all).
"""

from __future__ import annotations

from fastapi import APIRouter

from papertide.web.routes import (
    admin,
    admin_ingest,
    api_docs,
    api_tokens_ui,
    api_v1,
    api_v1_community,
    auth,
    browse,
    collections,
    comments,
    curate,
    digests,
    feeds,
    for_you,
    guides,
    hf_api,
    interests,
    meta,
    ops,
    papers,
    profile,
    search,
    submissions,
    subscriptions,
    thumbs,
    votes,
)

ROUTERS: tuple[APIRouter, ...] = tuple(m.router for m in (
    auth, profile, votes, interests, for_you, submissions, comments, collections, admin, curate,
    subscriptions, digests,
    hf_api, api_v1_community, api_v1, api_docs, feeds, guides, meta, api_tokens_ui,
    admin_ingest, search, ops, browse, thumbs, papers,
))
