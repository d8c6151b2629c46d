"""Typed dependency aliases: routes declare what they need; ``create_app`` provides it.

This module is the only place that reads ``app.state``: routes and helpers ask for a
service by type (``CommunityDep``, ``SearchDep``, …) or call :func:`services_of`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from papertide.api.service import ApiService
from papertide.api.tokens import TokenService
from papertide.browse import BrowsePages
from papertide.catalog import Catalog
from papertide.community.services import Community
from papertide.config import Settings
from papertide.email.archive import DigestArchive
from papertide.email.composing import DigestComposer
from papertide.email.delivery import OutboxSender
from papertide.email.subscribing import SubscriptionService
from papertide.ingest.service import IngestService
from papertide.monitoring import Monitoring
from papertide.pages import PaperPages
from papertide.recs.pages import RecPages
from papertide.recs.personal import PersonalRecommendations
from papertide.recs.signals import Signals
from papertide.search.service import SearchService
from papertide.services import Services


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def templates_of(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


def _base_url(request: Request) -> str:
    return services_of(request).settings.base_url.rstrip("/")


def _settings(request: Request) -> Settings:
    return services_of(request).settings


def _catalog(request: Request) -> Catalog:
    return services_of(request).catalog


def _community(request: Request) -> Community:
    return services_of(request).community


def _search(request: Request) -> SearchService:
    return services_of(request).search


def _api(request: Request) -> ApiService:
    return services_of(request).api


def _tokens(request: Request) -> TokenService:
    return services_of(request).tokens


def _ingest(request: Request) -> IngestService:
    return services_of(request).ingest


def _subscriptions(request: Request) -> SubscriptionService:
    return services_of(request).subscriptions


def _digests(request: Request) -> DigestComposer:
    return services_of(request).digests


def _pages(request: Request) -> PaperPages:
    return services_of(request).pages


def _archive(request: Request) -> DigestArchive:
    return services_of(request).digest_archive


def _monitoring(request: Request) -> Monitoring:
    return services_of(request).monitoring


def _outbox(request: Request) -> OutboxSender:
    return services_of(request).outbox_sender


def _browse(request: Request) -> BrowsePages:
    return services_of(request).browse


def _signals(request: Request) -> Signals:
    return services_of(request).signals


def _for_you(request: Request) -> PersonalRecommendations:
    return services_of(request).for_you


def _rec_pages(request: Request) -> RecPages:
    return services_of(request).rec_pages


ServicesDep = Annotated[Services, Depends(services_of)]
SettingsDep = Annotated[Settings, Depends(_settings)]
CatalogDep = Annotated[Catalog, Depends(_catalog)]
TemplatesDep = Annotated[Jinja2Templates, Depends(templates_of)]
CommunityDep = Annotated[Community, Depends(_community)]
SearchDep = Annotated[SearchService, Depends(_search)]
ApiDep = Annotated[ApiService, Depends(_api)]
TokensDep = Annotated[TokenService, Depends(_tokens)]
IngestDep = Annotated[IngestService, Depends(_ingest)]
SubscriptionsDep = Annotated[SubscriptionService, Depends(_subscriptions)]
DigestsDep = Annotated[DigestComposer, Depends(_digests)]
OutboxDep = Annotated[OutboxSender, Depends(_outbox)]
ArchiveDep = Annotated[DigestArchive, Depends(_archive)]
PagesDep = Annotated[PaperPages, Depends(_pages)]
MonitoringDep = Annotated[Monitoring, Depends(_monitoring)]
BaseUrlDep = Annotated[str, Depends(_base_url)]  # the public site URL without a trailing slash, for links
BrowseDep = Annotated[BrowsePages, Depends(_browse)]
SignalsDep = Annotated[Signals, Depends(_signals)]
ForYouDep = Annotated[PersonalRecommendations, Depends(_for_you)]
RecPagesDep = Annotated[RecPages, Depends(_rec_pages)]
