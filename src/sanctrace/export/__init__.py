"""Writers that turn entities back into files: FollowTheMoney JSON lines and a flat CSV."""

from __future__ import annotations

from sanctrace.export.csv import safe_cell, write_csv
from sanctrace.export.ftm import entity_to_ftm, ftm_id, write_ftm

__all__ = ["entity_to_ftm", "ftm_id", "safe_cell", "write_csv", "write_ftm"]
