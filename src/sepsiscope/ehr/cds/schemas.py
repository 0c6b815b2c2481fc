"""CDS Hooks 2.0 request and response bodies (https://cds-hooks.hl7.org/2.0/), as the OpenAPI shows them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

#: No NUL characters: PostgreSQL text cannot hold them, and no real field needs one.
_NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, Field(min_length=1, max_length=2000, pattern=_NO_NUL)]


class FhirAuthorization(BaseModel):
    """OAuth 2.0 access token the service may use to read the EHR's FHIR server."""

    access_token: Text
    token_type: Literal["Bearer"]
    expires_in: int
    scope: Text
    subject: Text
    patient: str | None = None


class HookRequest(BaseModel):
    """A hook call: which hook, its instance, the EHR's FHIR server, the context and any prefetch."""

    model_config = ConfigDict(extra="allow")

    hook: Annotated[str, Field(min_length=1, max_length=64)]
    hookInstance: Annotated[str, Field(min_length=1, max_length=128, pattern=_NO_NUL)]  # noqa: N815 - CDS Hooks field name
    fhirServer: Annotated[str, Field(max_length=500, pattern=r"^https://")] | None = None  # noqa: N815
    fhirAuthorization: FhirAuthorization | None = None  # noqa: N815
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None


class Coding(BaseModel):
    code: Annotated[str, Field(min_length=1, max_length=64, pattern=_NO_NUL)]
    system: Annotated[str, Field(max_length=200, pattern=_NO_NUL)] | None = None
    display: Annotated[str, Field(max_length=200, pattern=_NO_NUL)] | None = None


class Source(BaseModel):
    label: str
    url: str | None = None
    topic: Coding | None = None


class Action(BaseModel):
    type: Literal["create", "update", "delete"]
    description: str
    resource: dict[str, Any] | None = None


class Suggestion(BaseModel):
    label: str
    uuid: str
    isRecommended: bool | None = None  # noqa: N815
    actions: list[Action]


class Link(BaseModel):
    label: str
    url: str
    type: Literal["absolute", "smart"]


class Card(BaseModel):
    """One card (CDS Hooks 2.0 §Card Attributes)."""

    uuid: str
    summary: Annotated[str, Field(max_length=140)]
    detail: str | None = None
    indicator: Literal["info", "warning", "critical"]
    source: Source
    suggestions: list[Suggestion] | None = None
    selectionBehavior: Literal["at-most-one", "any"] | None = None  # noqa: N815
    overrideReasons: list[Coding] | None = None  # noqa: N815
    links: list[Link] | None = None


class CardsResponse(BaseModel):
    cards: list[Card]


class ServiceDescription(BaseModel):
    """One service of the discovery response."""

    hook: str
    title: str
    description: str
    id: str
    prefetch: dict[str, str]
    usageRequirements: str | None = None  # noqa: N815


class Discovery(BaseModel):
    services: list[ServiceDescription]


class OverrideReason(BaseModel):
    reason: Coding | None = None
    userComment: Annotated[str, Field(max_length=2000, pattern=_NO_NUL)] | None = None  # noqa: N815


class AcceptedSuggestion(BaseModel):
    id: Annotated[str, Field(min_length=1, max_length=64, pattern=_NO_NUL)]


class FeedbackItem(BaseModel):
    """What happened to one card (CDS Hooks 2.0 §Feedback)."""

    card: Annotated[str, Field(min_length=1, max_length=36, pattern=r"^[A-Za-z0-9\-]+$")]
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[AcceptedSuggestion] | None = None  # noqa: N815
    overrideReason: OverrideReason | None = None  # noqa: N815
    outcomeTimestamp: AwareDatetime  # noqa: N815


class FeedbackRequest(BaseModel):
    feedback: Annotated[list[FeedbackItem], Field(min_length=1, max_length=100)]


class FeedbackAccepted(BaseModel):
    stored: int
