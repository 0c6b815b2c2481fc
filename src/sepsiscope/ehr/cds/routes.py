"""CDS Hooks 2.0 routes: ``GET /cds-services``, ``POST /cds-services/{id}``, ``POST /cds-services/{id}/feedback``.

Calls and feedback need the EHR's JWT (``tokens.py``). A refused token is audited (actor
``cds:unverified``, the reason; at most one entry a minute, with the count of the others,
``service/refusals.py``) and answered 401 with one fixed message. An accepted call is
audited with the issuer as actor; the cards returned are kept (``cds_cards``) so that feedback
can name them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

import httpx2
from fastapi import APIRouter, Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from sepsiscope.ehr.cds.discovery import ORDER_SIGN, PATIENT_VIEW, discovery, prefetch_templates
from sepsiscope.ehr.cds.ehr_fhir import gather
from sepsiscope.ehr.cds.order_sign import draft_antibiotics, order_sign_card
from sepsiscope.ehr.cds.patient_view import patient_view_card
from sepsiscope.ehr.cds.picture import picture
from sepsiscope.ehr.cds.schemas import Card, CardsResponse, Discovery, FeedbackAccepted, FeedbackRequest, HookRequest
from sepsiscope.ehr.cds.tokens import JwksCache, TokenRefused, remember_jti, verify
from sepsiscope.service import audit
from sepsiscope.service.api.deps import ContextDep
from sepsiscope.service.api.errors import ApiError
from sepsiscope.service.context import ServiceContext
from sepsiscope.service.db.ehr_models import CdsCard, CdsFeedback

router = APIRouter(prefix="/cds-services", tags=["CDS Hooks 2.0"])
_bearer = HTTPBearer(auto_error=False, description="The EHR's JWT (CDS Hooks 2.0, Trusting CDS Clients).")
HOOKS = {PATIENT_VIEW: "patient-view", ORDER_SIGN: "order-sign"}
ServiceId = Annotated[str, Path(pattern="^(" + "|".join(HOOKS) + ")$")]
REFUSED = "the token is not accepted"
PATIENT_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")  # the service's patient_id (a FHIR Patient id)


@dataclass
class EhrState:
    """What the CDS routes share: the HTTP client (EHR FHIR servers, JWKS URLs) and the JWKS cache."""

    http: httpx2.Client
    jwks: JwksCache


def ehr_state(request: Request) -> EhrState:
    state: EhrState = request.app.state.ehr
    return state


def _refuse(ctx: ServiceContext, service_id: str, e: TokenRefused) -> ApiError:
    ctx.refusals.record(ctx.sessions, "cds:unverified", "cds.token.refused", f"cds-services/{service_id}",
                        {"reason": e.reason, "claimed_issuer": e.issuer})  # fmt: skip
    return ApiError(401, "unauthorized", REFUSED)


def caller(service_id: ServiceId, ctx: ContextDep, state: Annotated[EhrState, Depends(ehr_state)],
           credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:  # fmt: skip
    """The verified issuer of the call's JWT (401 and an audit entry otherwise)."""
    settings = ctx.settings
    try:
        if credentials is None or not credentials.credentials:
            raise TokenRefused("no bearer token")
        audience = f"{settings.resolved_public_url}/cds-services/{service_id}"
        claims = verify(credentials.credentials, issuers=settings.cds_issuers, audience=audience, jwks=state.jwks)
        remember_jti(ctx.sessions, claims, ctx.clock())
    except TokenRefused as e:
        raise _refuse(ctx, service_id, e) from None
    return str(claims["iss"])


Caller = Annotated[str, Depends(caller)]


@router.get("", response_model=Discovery, response_model_exclude_none=True)
def get_discovery() -> Discovery:
    """The services offered and their prefetch templates (no token needed, as CDS Hooks asks)."""
    return discovery()


def _keep(ctx: ServiceContext, service_id: str, req: HookRequest, patient_id: str, cards: list[Card],
          issuer: str) -> None:  # fmt: skip
    now = ctx.clock()
    with ctx.sessions.begin() as session:
        for c in cards:
            session.add(CdsCard(uuid=c.uuid, service_id=service_id, hook_instance=req.hookInstance,
                                patient_id=patient_id, indicator=c.indicator, summary=c.summary,
                                suggestions=[s.uuid for s in c.suggestions or []], issued_at=now))  # fmt: skip
        audit.append(session, f"cds:{issuer}", f"cds.{req.hook}", f"patient/{patient_id}",
                     {"hookInstance": req.hookInstance, "cards": [c.uuid for c in cards]})  # fmt: skip


@router.post("/{service_id}", response_model=CardsResponse, response_model_exclude_none=True,
             responses={401: {"description": "Token refused"}, 422: {"description": "Not a call of this hook"}},
             )  # fmt: skip
def call_service(service_id: ServiceId, body: HookRequest, issuer: Caller, ctx: ContextDep,
                 state: Annotated[EhrState, Depends(ehr_state)]) -> CardsResponse:  # fmt: skip
    """Run the hook: the cards for this patient (an empty list when there is nothing to say)."""
    if body.hook != HOOKS[service_id]:
        raise ApiError(422, "invalid", f"service {service_id} answers the {HOOKS[service_id]} hook, not {body.hook!r}",
                       field="hook", value=body.hook)  # fmt: skip
    patient_id = body.context.get("patientId")
    if not isinstance(patient_id, str) or not PATIENT_ID.match(patient_id):
        raise ApiError(422, "invalid", "context.patientId is required: 1-64 letters, digits, '.', '-', ':' or '_'",
                       field="context.patientId", value=str(patient_id)[:64])  # fmt: skip
    keys = ("administrations", "orders", "cultures", "lactate")
    servers = ctx.settings.cds_fhir_servers.get(issuer, [])
    ehr = gather(body, prefetch_templates(), state.http, ctx.settings.ehr_timeout_s, keys, servers)
    with ctx.sessions() as session:
        pic = picture(session, ctx, patient_id, ehr)
    if service_id == PATIENT_VIEW:
        card = patient_view_card(pic, ehr)
    else:
        card = order_sign_card(pic, draft_antibiotics(body.context.get("draftOrders")))
    cards = [card] if card is not None else []
    _keep(ctx, service_id, body, patient_id, cards, issuer)
    return CardsResponse(cards=cards)


@router.post("/{service_id}/feedback", response_model=FeedbackAccepted,
             responses={401: {"description": "Token refused"}, 404: {"description": "Unknown card"}})  # fmt: skip
def post_feedback(service_id: ServiceId, body: FeedbackRequest, issuer: Caller, ctx: ContextDep) -> FeedbackAccepted:
    """Accepted or overridden cards, with the override reason; stored and audited (all or none)."""
    now = ctx.clock()
    with ctx.sessions.begin() as session:
        wanted = {f.card for f in body.feedback}
        cards = {c.uuid: c for c in session.scalars(select(CdsCard).where(CdsCard.uuid.in_(wanted)))}
        for i, f in enumerate(body.feedback):
            card = cards.get(f.card)
            if card is None or card.service_id != service_id:
                raise ApiError(404, "unknown_card", f"feedback[{i}].card: no card {f.card!r} was issued by "
                               f"{service_id}", index=i, field="card", value=f.card)  # fmt: skip
            accepted = [s.id for s in f.acceptedSuggestions or []]
            unknown = [s for s in accepted if s not in card.suggestions]
            if unknown:
                raise ApiError(422, "unknown_suggestion", f"feedback[{i}].acceptedSuggestions: {unknown} are "
                               "not suggestions of that card", index=i, field="acceptedSuggestions",
                               value=unknown[0])  # fmt: skip
            reason = f.overrideReason.reason if f.overrideReason else None
            session.add(CdsFeedback(
                service_id=service_id, card_uuid=f.card, outcome=f.outcome, accepted_suggestions=accepted,
                override_code=reason.code if reason else None, override_system=reason.system if reason else None,
                override_display=reason.display if reason else None,
                user_comment=f.overrideReason.userComment if f.overrideReason else None,
                outcome_at=f.outcomeTimestamp, received_at=now, actor=f"cds:{issuer}", detail=f.model_dump(mode="json"),
            ))  # fmt: skip
            detail = {"card": f.card, "override": reason.code if reason else None, "accepted": accepted}
            audit.append(session, f"cds:{issuer}", f"cds.feedback.{f.outcome}", f"patient/{card.patient_id}", detail)
    return FeedbackAccepted(stored=len(body.feedback))
