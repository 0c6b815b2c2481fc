"""The service's one settings object: every option of ``sepsiscope serve``, validated once.

Read from ``SEPSISCOPE_*`` environment variables; command-line flags override them
(``Settings(**flags)``). This is the only module of the service that reads the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATA_DIR = Path("sepsiscope-data")


class Settings(BaseSettings):
    """Options of the monitoring service (docs/service.md, "Configure it")."""

    model_config = SettingsConfigDict(env_prefix="SEPSISCOPE_", extra="forbid", frozen=True)

    data_dir: Path = Field(DEFAULT_DATA_DIR, description="Folder of the default SQLite database.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL; default sqlite:///DATA_DIR/sepsiscope.db. "
        "PostgreSQL: postgresql+psycopg://user:password@host/dbname",
    )
    alert_rules: Path | None = Field(None, description="TOML file replacing the packaged alert rules.")
    model_dir: Path | None = Field(None, description="Model folder; default: the shipped default model.")
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    max_batch: Annotated[int, Field(ge=1, le=100_000)] = Field(
        5_000, description="Most items one observation or event batch may hold (more: 413)."
    )

    public_url: str | None = Field(
        None,
        description="The service's public base URL (https://host[:port]); CDS Hooks tokens must name "
        "PUBLIC_URL/cds-services/ID as their audience. Default: http://HOST:PORT.",
    )
    cds_issuers: dict[str, str] = Field(
        default_factory=dict,
        description="CDS Hooks: each EHR issuer (the JWT iss) allowed to call, with its JWKS URL. "
        'Environment: JSON, e.g. {"https://ehr.example.org": "https://ehr.example.org/jwks.json"}.',
    )
    cds_fhir_servers: dict[str, list[str]] = Field(
        default_factory=dict,
        description="CDS Hooks: each issuer's FHIR base URLs the service may read with the hook's "
        "fhirAuthorization token; a call naming any other fhirServer is answered from its prefetch "
        'only and the token is never sent. Environment: JSON, e.g. {"https://ehr.example.org": '
        '["https://ehr.example.org/fhir"]}.',
    )
    oidc_issuer: str | None = Field(None, description="Hospital OpenID Connect issuer whose JWTs are accepted.")
    oidc_audience: str | None = Field(None, description="The audience (aud) those JWTs must carry.")
    oidc_jwks_url: str | None = Field(
        None, description="The issuer's JWKS URL; default: jwks_uri of ISSUER/.well-known/openid-configuration."
    )
    oidc_role_claim: str = Field("roles", description="The claim holding the user's roles (a list or a string).")
    oidc_roles: dict[str, str] = Field(
        default_factory=dict,
        description="Hospital role → service role (integration, nurse, clinician, admin); unmapped roles "
        "that are service role names map to themselves.",
    )
    ehr_timeout_s: Annotated[float, Field(gt=0, le=60)] = Field(
        5.0, description="Timeout of each call to an EHR's FHIR server or a JWKS URL (seconds; no retries)."
    )

    @model_validator(mode="after")
    def _oidc_pair(self) -> Settings:
        if (self.oidc_issuer is None) != (self.oidc_audience is None):
            raise ValueError("give oidc_issuer and oidc_audience together (--oidc-issuer URL --oidc-audience A)")
        return self

    @property
    def resolved_public_url(self) -> str:
        """The base URL tokens are addressed to (no trailing slash)."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @model_validator(mode="after")
    def _known_database(self) -> Settings:
        url = self.resolved_database_url
        try:
            driver = make_url(url).drivername
        except ArgumentError:
            raise ValueError(f"database_url {url!r} is not a database URL") from None
        if driver.startswith("postgresql") and driver != "postgresql+psycopg":
            raise ValueError(f"database_url {url!r}: use the psycopg 3 driver (postgresql+psycopg://…)")
        if driver not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
            raise ValueError(f"database_url {url!r}: use sqlite:///PATH or postgresql+psycopg://…")
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL in force (the SQLite file in ``data_dir`` unless one is given)."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'sepsiscope.db').resolve()}"
