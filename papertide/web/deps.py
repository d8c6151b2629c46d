"""Typed dependency aliases: routes declare what they need, the app factory provides it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from papertide.catalog import Catalog
from papertide.config import Settings
from papertide.storage.db import Database


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _db(request: Request) -> Database:
    return request.app.state.db


def _catalog(request: Request) -> Catalog:
    return request.app.state.catalog


def _templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


SettingsDep = Annotated[Settings, Depends(_settings)]
DbDep = Annotated[Database, Depends(_db)]
CatalogDep = Annotated[Catalog, Depends(_catalog)]
TemplatesDep = Annotated[Jinja2Templates, Depends(_templates)]
