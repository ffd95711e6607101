"""Who is looking: the signed-in person, what they may see, and what they may do."""

from __future__ import annotations

from dataclasses import dataclass

from storage.console import ConsoleSession
from storage.people import Person
from storage.search import Scope


@dataclass(frozen=True)
class Viewer:
    person: Person
    session: ConsoleSession

    @property
    def is_staff(self) -> bool:
        return self.session.kind == "staff"

    @property
    def branch(self) -> str | None:
        """The branch a staff member is limited to; None for an administrator (and for a
        campaigner, who is limited by `scope` instead)."""
        p = self.person
        return p.branch if self.is_staff and not p.admin else None

    @property
    def scope(self) -> Scope:
        """The registrations this person may see (storage/search.py)."""
        p = self.person
        if not self.is_staff:
            return Scope(campaigner_id=p.id, campaigner_code=p.code)
        return Scope(everything=True) if p.admin else Scope(branch=p.branch)

    @property
    def actor(self) -> str:
        """How the audit log names them."""
        kind = "staff" if self.is_staff else "campaigner"
        return f"console:{kind}:{self.person.id}:{self.person.name}"

    @property
    def masks(self) -> bool:
        """Campaigners see NIKs and phone numbers masked, always."""
        return not self.is_staff
