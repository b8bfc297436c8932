"""A small versioned JSON document owned by one process at a time (the organisation register,
the portal's accounts): owner-only (0600), always replaced whole and durably
(`files.write_atomic`), changed only under an exclusive lock, so a reader never sees half a file
and two commands never lose each other's change."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Self

from rendement.core.files import locked, write_atomic


@dataclass
class JsonStore:
    """Subclasses name their version, their collections (top-level objects) and the error a
    refused document raises, with its Dutch noun for the message."""

    VERSION: ClassVar[int] = 1
    COLLECTIONS: ClassVar[tuple[str, ...]] = ()
    ERROR: ClassVar[type[Exception]] = ValueError
    NOUN: ClassVar[str] = "het bestand"

    path: Path
    data: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.data.setdefault("versie", self.VERSION)
        for name in self.COLLECTIONS:
            self.data.setdefault(name, {})

    @classmethod
    def load(cls, path: Path) -> Self:
        """The document as stored; an empty one when the file does not exist yet."""
        if not path.exists():
            return cls(path)
        data = json.loads(path.read_text("utf-8"))
        if data.get("versie") != cls.VERSION:
            raise cls.ERROR(f"{path}: onbekende versie van {cls.NOUN}: {data.get('versie')}")
        return cls(path, data)

    @classmethod
    @contextlib.contextmanager
    def edit(cls, path: Path) -> Iterator[Self]:
        """Load, change and save under an exclusive lock (one writer at a time)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with locked(path.with_name(f".{path.name}.lock")):
            store = cls.load(path)
            yield store
            store.save()

    def save(self) -> None:
        """Replace the file atomically; the result is readable by its owner only."""
        text = json.dumps(self.data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        write_atomic(self.path, text, mode=0o600, durable=True)
