"""yente's wire models (request and response shapes, for validation and the OpenAPI docs),
and the error responses every router documents."""

from __future__ import annotations

import enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorResponse(BaseModel):
    detail: Any = Field(..., examples=["Detailed error message"])


class EntityExample(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str | None = Field(None, examples=["my-entity-id"])
    schema_: str = Field(..., alias="schema", examples=["Company"])
    properties: dict[str, str | list[str | int | float]] = Field(
        ..., examples=[{"name": ["IEMZ Kupol"], "jurisdiction": ["ru"]}]
    )


class EntityMatchQuery(BaseModel):
    weights: dict[str, float] = Field(default_factory=dict)
    config: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
    queries: dict[str, EntityExample]


class TotalSpec(BaseModel):
    value: int
    relation: str = "eq"


class EntityResponse(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(..., examples=["us_ofac_sdn:46431"])
    caption: str
    schema_: str = Field(..., alias="schema")
    properties: dict[str, list[Any]]
    datasets: list[str] = []
    referents: list[str] = []
    target: bool = False
    first_seen: str | None = None
    last_seen: str | None = None
    last_change: str | None = None


class FeatureResult(BaseModel):
    score: float
    detail: str | None = None
    query: str | None = None
    candidate: str | None = None


class ScoredEntityResponse(EntityResponse):
    score: float
    match: bool
    explanations: dict[str, FeatureResult]


class EntityMatches(BaseModel):
    status: int = 200
    results: list[ScoredEntityResponse]
    total: TotalSpec
    query: EntityExample


class EntityMatchResponse(BaseModel):
    responses: dict[str, EntityMatches]
    limit: int


class SearchFacetItem(BaseModel):
    name: str
    label: str
    count: int


class SearchFacet(BaseModel):
    label: str
    values: list[SearchFacetItem]


class SearchResponse(BaseModel):
    results: list[EntityResponse]
    facets: dict[str, SearchFacet]
    total: TotalSpec
    limit: int
    offset: int = 0


class Facet(enum.StrEnum):
    DATASETS = "datasets"
    SCHEMA = "schema"
    COUNTRIES = "countries"
    TOPICS = "topics"


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Invalid query"},
    401: {"model": ErrorResponse, "description": "Missing or unknown API key"},
    403: {"model": ErrorResponse, "description": "Revoked key, or a role too low"},
    404: {"model": ErrorResponse, "description": "No such dataset or entity"},
    413: {"model": ErrorResponse, "description": "Request body too large"},
    429: {"model": ErrorResponse, "description": "Rate limit exceeded (see Retry-After)"},
    500: {"model": ErrorResponse, "description": "Server error, or the audit trail failed"},
    503: {"model": ErrorResponse, "description": "Index not ready"},
}
