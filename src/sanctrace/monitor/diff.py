"""What changed between two versions of a list: entities added, removed and changed, with the
fields that changed. Pure functions over entities.

Noise is not change: values are compared as sets with whitespace collapsed, so reordered
aliases, addresses or programs, re-spaced text and a re-published file with the same content
give no change. Provenance (version, file, line) always differs and is not compared.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sanctrace.model.entity import Entity

#: Fields of an entity that say where it came from, not what it says.
_NOT_CONTENT = frozenset({"provenance"})


def _text(value: str) -> str:
    return " ".join(value.split())


def _label(value: Any) -> str:
    """One element of a multi-valued field as a line a reader understands."""
    if isinstance(value, str):
        return _text(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        parts = {k: v for k, v in dataclasses.asdict(value).items() if v not in (None, "", [])}
        for key in ("full", "value"):  # an address's full text, a name's or identifier's value
            if key in parts:
                rest = {k: v for k, v in parts.items() if k not in (key, "full", "value")}
                tail = ", ".join(f"{k}={_text(str(v))}" for k, v in sorted(rest.items()))
                return f"{_text(str(parts[key]))} ({tail})" if tail else _text(str(parts[key]))
        return ", ".join(f"{k}={_text(str(v))}" for k, v in sorted(parts.items()))
    return _text(str(value))


def _comparable(value: Any) -> Any:
    """A field's value as something to compare and to show: a sorted list of distinct lines
    for multi-valued fields, collapsed text for text."""
    if isinstance(value, dict):
        return {k: sorted({_label(v) for v in vs}) for k, vs in sorted(value.items()) if vs}
    if isinstance(value, list):
        return sorted({_label(v) for v in value})
    if isinstance(value, str):
        return _text(value)
    return value


def content(entity: Entity) -> dict[str, Any]:
    """An entity's comparable content, field by field."""
    return {
        f.name: _comparable(getattr(entity, f.name))
        for f in dataclasses.fields(entity)
        if f.name not in _NOT_CONTENT
    }


def changes(old: Entity, new: Entity) -> dict[str, dict[str, Any]]:
    """``{field: {"old", "new"}}`` for each field whose content differs."""
    before, after = content(old), content(new)
    return {
        name: {"old": before[name], "new": after[name]}
        for name in before
        if before[name] != after[name]
    }


@dataclass
class ListDiff:
    """Ids added and removed, and ``{"id", "caption", "fields", "changes"}`` per changed
    entity; ``captions`` names every one of them (the old caption of a removed entity)."""

    dataset: str
    old: str
    new: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    captions: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "from": self.old,
            "to": self.new,
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "captions": self.captions,
        }


def diff_entities(
    dataset: str, old_version: str, old: Iterable[Entity], new_version: str, new: Iterable[Entity]
) -> ListDiff:
    """The difference between two versions' entities, ids sorted."""
    before = {e.id: e for e in old}
    after = {e.id: e for e in new}
    result = ListDiff(dataset, old_version, new_version)
    result.added = sorted(set(after) - set(before))
    result.removed = sorted(set(before) - set(after))
    for entity_id in sorted(set(before) & set(after)):
        found = changes(before[entity_id], after[entity_id])
        if found:
            caption = after[entity_id].caption
            result.changed.append(
                {"id": entity_id, "caption": caption, "fields": sorted(found), "changes": found}
            )
    captions = {i: after[i].caption for i in result.added}
    captions.update((i, before[i].caption) for i in result.removed)
    captions.update((item["id"], item["caption"]) for item in result.changed)
    result.captions = dict(sorted(captions.items()))
    return result


def change_lines(changes: dict[str, dict[str, Any]]) -> list[str]:
    """One line per changed field, as a reader wants it: the values added (+) and removed (-)
    of a multi-valued field, ``old -> new`` of a single one."""
    lines = []
    for name, values in changes.items():
        old, new = values["old"], values["new"]
        if isinstance(old, dict) or isinstance(new, dict):
            old, new = old or {}, new or {}
            for key in sorted(set(old) | set(new)):
                lines.append(f"{name}.{key}: {_set_change(old.get(key, []), new.get(key, []))}")
        elif isinstance(old, list) or isinstance(new, list):
            lines.append(f"{name}: {_set_change(old or [], new or [])}")
        else:
            lines.append(f"{name}: {_shown(old)} → {_shown(new)}")
    return lines


def _set_change(old: list[str], new: list[str]) -> str:
    added = [f"+ {v}" for v in new if v not in old]
    removed = [f"- {v}" for v in old if v not in new]
    return "; ".join(added + removed)


def _shown(value: Any) -> str:
    return "(none)" if value in (None, "", []) else str(value)
