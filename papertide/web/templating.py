"""Jinja environment factory and the filters our templates use."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates

from papertide.config import Settings
from papertide.domain.papers import abs_url, pdf_url, short_authors, snippet

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def _human_date(d: date | None) -> str:
    return d.strftime("%a, %d %b %Y") if d else ""


def make_templates(settings: Settings, extra_globals: dict[str, Any] | None = None) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.autoescape = True  # every template, whatever its suffix: titles may hold <script>
    env.filters.update(
        short_authors=lambda a: short_authors(tuple(a), settings.authors_shown),
        snippet=snippet,
        human_date=_human_date,
    )
    env.globals.update(
        site_name=settings.site_name,
        base_url=settings.base_url.rstrip("/"),
        abs_url=abs_url,
        pdf_url=pdf_url,
        **(extra_globals or {}),
    )
    return templates
