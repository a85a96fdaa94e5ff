"""The options that map an input file's columns, shared by ``screen-file`` and ``watch add``."""

from __future__ import annotations

from typing import Annotated

import typer

Encoding = Annotated[
    str | None,
    typer.Option(help="Text encoding of a CSV/TSV input (default UTF-8, or UTF-16 by BOM)."),
]
NameColumn = Annotated[
    str | None, typer.Option(help="Column with the name to screen (default: detected).")
]
SchemaColumn = Annotated[
    str | None, typer.Option(help="Column with each row's type: Person, Company, individual, …")
]
CountryColumn = Annotated[
    str | None, typer.Option(help="Column with countries (names or ISO codes; ';' between).")
]
BirthDateColumn = Annotated[
    str | None, typer.Option(help="Column with birth dates (YYYY[-MM[-DD]], DD/MM/YYYY).")
]
IdColumn = Annotated[
    str | None,
    typer.Option(help="Column with identifiers: tax/registration number, IMO, BIC, LEI…"),
]
KeyColumn = Annotated[
    str | None,
    typer.Option(help="Column with your record id, carried to the output (default: row no.)."),
]
