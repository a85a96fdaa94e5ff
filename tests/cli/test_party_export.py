"""FtM export of parties (issue 16): one FollowTheMoney entity per party, its records in
``referents``, properties unioned across its lists, on the real bundled lists."""

from __future__ import annotations

import json
from pathlib import Path

from homes import sanctrace


def test_parties_export_as_merged_ftm_entities(bundled_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "parties.ftm.json"
    done = sanctrace(bundled_home, "lists", "export-parties", "-o", str(out))
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    parties = {o["id"]: o for o in lines if o.get("target")}
    kupol = next(o for o in parties.values() if "us_ofac_sdn:46431" in o["referents"])
    assert kupol["id"].startswith("P-")
    assert {"au_dfat_sanctions:7904", "ca_dfatd_sema_sanctions:russia-1-part-2-306"} <= set(
        kupol["referents"]
    )
    assert set(kupol["datasets"]) == {
        "au_dfat_sanctions",
        "ca_dfatd_sema_sanctions",
        "us_ofac_sdn",
    }
    names = kupol["properties"]["name"] + kupol["properties"].get("alias", [])
    assert len(set(names)) >= 3  # every list's spelling is kept
    listed = {r for o in parties.values() for r in o["referents"] if ":" in r}
    assert len(listed) == sum(1 for o in parties.values() for r in o["referents"] if ":" in r)
    sanctions = [o for o in lines if o["schema"] == "Sanction"]
    assert sanctions and all(
        s["properties"]["entity"][0] in parties for s in sanctions if s["properties"].get("entity")
    )
