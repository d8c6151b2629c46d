"""``/readyz`` and ``/metrics``: what load balancers and Prometheus ask a web process.

``/healthz`` (the process answers at all) stays in the app shell; ``/readyz`` is 200 only
when the database answers, its schema is current and search can answer, else 503 with
the checks that failed. ``/metrics`` is off unless a client may read it: from an address
in ``PAPERTIDE_METRICS_ALLOW`` (loopback by default) or with ``PAPERTIDE_METRICS_TOKEN``
as a bearer token from anywhere.
"""

from __future__ import annotations

import ipaddress
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from papertide.telemetry.metrics import CONTENT_TYPE, exposition
from papertide.web.deps import MonitoringDep, SettingsDep
from papertide.web.security import same_secret

router = APIRouter(include_in_schema=False)

Access = Literal["ok", "off", "unauthorized", "forbidden"]
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/readyz")
def readyz(monitoring: MonitoringDep) -> JSONResponse:
    readiness = monitoring.readiness()
    return JSONResponse(readiness.as_json(), status_code=200 if readiness.ready else 503, headers=NO_STORE)


@router.get("/metrics")
def metrics(request: Request, settings: SettingsDep, monitoring: MonitoringDep) -> Response:
    client = request.client.host if request.client else None
    access = metrics_access(client, request.headers.get("authorization"), settings.metrics_allow, settings.metrics_token)
    if access == "off":
        return JSONResponse({"error": {"code": 404, "message": "Not Found"}}, status_code=404)
    if access == "unauthorized":
        return JSONResponse({"error": {"code": 401, "message": "a bearer token is required"}}, status_code=401,
                            headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    if access == "forbidden":
        return JSONResponse({"error": {"code": 403, "message": "not allowed from this address"}}, status_code=403)
    return Response(exposition([monitoring.collector()]), media_type=CONTENT_TYPE, headers=NO_STORE)


def metrics_access(client: str | None, authorization: str | None, allow: str, token: str) -> Access:
    """Who may read /metrics: an allowed address, or anyone with the token; off when neither is set."""
    networks = _networks(allow)
    if not networks and not token:
        return "off"
    if client is not None and _address_in(client, networks):
        return "ok"
    if token:
        scheme, _, presented = (authorization or "").partition(" ")
        if scheme.lower() == "bearer" and same_secret(presented.strip(), token):
            return "ok"
        return "unauthorized"
    return "forbidden"


def _networks(allow: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    # Settings validate the list at start-up, so every entry parses here.
    return [ipaddress.ip_network(part.strip(), strict=False) for part in allow.split(",") if part.strip()]


def _address_in(client: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        address = ipaddress.ip_address(client)
    except ValueError:  # a test client's or a Unix socket's peer name
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in net for net in networks)
