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


class Listing(BaseModel):
    """One list's record of a party: where the party's properties come from."""

    model_config = ConfigDict(populate_by_name=True)

    dataset: str = Field(..., examples=["us_ofac_sdn"])
    id: str = Field(..., examples=["us_ofac_sdn:46431"])
    source_id: str = Field(..., examples=["46431"])
    list_: str = Field(
        ..., alias="list", examples=["OFAC Specially Designated Nationals (SDN) list"]
    )
    caption: str
    schema_: str = Field(..., alias="schema")
    programs: list[str] = []
    listed_on: str | None = None
    version: str = Field(..., examples=["2024-05-03"])
    published: str | None = None
    names: list[str] = []
    score: float | None = Field(None, description="The record's score, when it matched")
    matched_name: str | None = None


class EntityResponse(BaseModel):
    """A party, in yente's shape for a merged entity."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(..., examples=["P-cxlfmbsfth"], description="The party id")
    caption: str
    schema_: str = Field(..., alias="schema")
    properties: dict[str, list[Any]] = Field(
        ..., description="Every listed record's FtM properties, unioned"
    )
    datasets: list[str] = Field([], description="Every list that names the party")
    referents: list[str] = Field(
        [], examples=[["us_ofac_sdn:46431", "au_dfat_sanctions:7904"]], description="Its records"
    )
    target: bool = False
    first_seen: str | None = None
    last_seen: str | None = None
    last_change: str | None = None
    listings: list[Listing] = Field([], description="Each list's record of the party")


class ListVersion(BaseModel):
    """The version of its list a result's record was read from."""

    dataset: str = Field(..., examples=["us_ofac_sdn"])
    version: str | None = Field(..., examples=["2024-05-03"])
    published: str | None = Field(None, examples=["2024-05-03"])


class SearchResult(EntityResponse):
    score: float | None = Field(
        None, description="The best score of the party's names against q (None without q)"
    )
    record_id: str = Field(..., description="The party's record that scored best")
    list_version: ListVersion


class FeatureResult(BaseModel):
    score: float
    detail: str | None = None
    query: str | None = None
    candidate: str | None = None


class ScoredEntityResponse(EntityResponse):
    score: float
    match: bool
    record_id: str = Field(..., description="The party's record that scored best")
    list_version: ListVersion
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
    results: list[SearchResult]
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
