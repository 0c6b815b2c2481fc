"""Request and response bodies of the JSON API (they are also its OpenAPI schema)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from sepsiscope.variables.registry import REGISTRY

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")]
ClientId = Annotated[str, Field(min_length=1, max_length=128)]
AlertState = Literal["open", "acknowledged", "snoozed", "resolved"]
Level = Literal["emergency", "urgent"]
EventKind = Literal[
    "antibiotic_ordered",
    "antibiotic_given",
    "blood_culture_drawn",
    "fluid_bolus",
    "vasopressor_started",
    "vasopressor_stopped",
    "ventilation_started",
    "ventilation_stopped",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    code: str
    message: str
    index: int | None = None
    field: str | None = None
    value: Any = None


class ErrorBody(BaseModel):
    """The one error shape of every 4xx and 5xx reply."""

    error: ErrorDetail


class Location(_Strict):
    ward: Annotated[str, Field(max_length=64)] | None = None
    bed: Annotated[str, Field(max_length=64)] | None = None


class PatientIn(_Strict):
    """A patient record: the age as ``age_years`` or ``birth_date`` (one of them, not both)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"not": {"required": ["age_years", "birth_date"]}})

    age_years: Annotated[float, Field(ge=0, le=130)] | None = None
    birth_date: date | None = None
    sex: Literal["female", "male", "other", "unknown"] | None = None
    location: Location | None = None
    admitted_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _one_age(self) -> PatientIn:
        if {"age_years", "birth_date"} <= self.model_fields_set:
            raise ValueError("give age_years or birth_date, not both")
        return self


class PatientOut(BaseModel):
    patient_id: str
    age_years: float | None
    birth_date: date | None
    sex: str | None
    location: Location
    admitted_at: datetime | None


class ObservationIn(_Strict):
    id: ClientId | None = None
    patient_id: Id
    time: AwareDatetime
    variable: Annotated[
        str,
        Field(
            min_length=1,
            max_length=64,
            description="A canonical variable of variables.toml (checked by the service, error code unknown_variable).",
            json_schema_extra={"enum": REGISTRY.names()},
        ),
    ]
    value: float | bool | str
    unit: Annotated[str, Field(min_length=1, max_length=32)] | None = None


class ObservationBatch(_Strict):
    observations: Annotated[list[ObservationIn], Field(min_length=1)]


class EventIn(_Strict):
    id: ClientId | None = None
    patient_id: Id
    time: AwareDatetime
    kind: EventKind
    drug: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    route: Annotated[str, Field(min_length=1, max_length=16)] | None = None
    specimen: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    fluid: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    volume_ml: float | None = None
    rate: float | None = None
    rate_unit: Annotated[str, Field(min_length=1, max_length=32)] | None = None


class EventBatch(_Strict):
    events: Annotated[list[EventIn], Field(min_length=1)]


class Accepted(BaseModel):
    accepted: int
    duplicates: int


class ObservationOut(BaseModel):
    id: str
    variable: str
    value: float | bool | str | None
    unit: str | None
    time: datetime
    received_at: datetime
    sent_value: Any
    sent_unit: str | None


class ObservationList(BaseModel):
    observations: list[ObservationOut]


class AlertActionOut(BaseModel):
    action: str
    who: str
    when: datetime
    note: str | None


class AlertOut(BaseModel):
    id: int
    patient_id: str
    rule: str
    level: Level
    state: AlertState
    opened_at: datetime
    snoozed_until: datetime | None
    reasons: list[str]
    history: list[AlertActionOut]


class AlertList(BaseModel):
    alerts: list[AlertOut]


class AcknowledgeIn(_Strict):
    note: Annotated[str, Field(max_length=2000)] | None = None


class SnoozeIn(_Strict):
    minutes: Annotated[int, Field(ge=1, le=24 * 60)]
    note: Annotated[str, Field(max_length=2000)] | None = None


class ResolveIn(_Strict):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class AuditOut(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    target: str
    detail: Any
    hash: str


class AuditList(BaseModel):
    entries: list[AuditOut]
    next_after: int | None


class Health(BaseModel):
    status: Literal["ok"]
    database: str


class LatestValue(BaseModel):
    value: float | int | bool | str | None
    unit: str | None
    time: datetime
    in_force: bool


class StaleValue(BaseModel):
    variable: str
    last_time: datetime
    age_minutes: int
    carry_h: float


class RiskReason(BaseModel):
    variable: str
    text: str
    contribution: float


class RiskOut(BaseModel):
    probability: float | None
    threshold: float | None
    alert: bool | None
    reasons: list[RiskReason]
    note: str | None


class PatientDetail(BaseModel):
    patient: PatientOut
    as_of: datetime | None
    latest: dict[str, LatestValue]
    scores: dict[str, dict[str, Any]]
    risk: RiskOut | None
    stale: list[StaleValue]
    open_alerts: list[AlertOut]


class WardRow(BaseModel):
    patient_id: str
    location: Location
    as_of: datetime | None
    scores: dict[str, Any]
    risk: float | None
    risk_alert: bool | None
    alert_level: Level | None
    open_alerts: list[AlertOut]
    stale: list[str]
    last_vitals_at: datetime | None
    scoring_since: datetime | None = Field(
        default=None, description="Earliest hour of data the scorer has not yet scored (null: scores are current)."
    )


class Ward(BaseModel):
    patients: list[WardRow]


class TimelineHour(BaseModel):
    hour_start: datetime
    scores: dict[str, Any]
    risk: float | None
    risk_alert: bool | None


class Timeline(BaseModel):
    patient_id: str
    hours: list[TimelineHour]
    scoring_since: datetime | None = Field(
        default=None,
        description="Earliest hour of data the scorer has not yet scored; hours from it on may still change "
        "(null: the timeline is current).",
    )
