"""What an action is applied with: who, when, and the action's own input."""

import datetime
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from motcua.documents.models import Document
from motcua.dossiers.attachments import cited_documents

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier


@dataclass
class ActionInput:
    """The fields an action may carry (the API validates which ones each action needs)."""

    version: int
    reason: str = ""
    documents: list[uuid.UUID] = field(default_factory=list)
    # request_supplement: every missing item, listed at once.
    items: list[str] = field(default_factory=list)
    legal_exception: str = ""
    # consult
    to_unit: str = ""
    content: str = ""
    reply_days: int | None = None
    consultation_id: int | None = None
    answer: str = ""
    # pause
    pause_reason: str = ""
    # apologise
    new_due_at: datetime.datetime | None = None
    explanation: str = ""
    # return_to_step
    step_order: int | None = None
    # issue_result: a result, or a lawful refusal after appraisal
    outcome: str = "result"
    # return_result
    delivery: str = ""
    # receive at the counter or from the post (NĐ 118 Điều 17 k1; R-17): the case's components
    # (catalog RequiredDocument ids) the officer checked as handed in, and — only when a mandatory
    # one is missing and the officer still receives — the reason, recorded in the event.
    components: list[int] = field(default_factory=list)
    incomplete_reason: str = ""
    # TT 03/2025 Điều 5, TT 01/2023/TT-VPCP Điều 8: components only shown (xuất trình, not
    # scanned), and the page count of each paper scanned (the scan must have as many images).
    shown_components: list[int] = field(default_factory=list)
    pages: dict[int, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    dossier: "Dossier"
    actor: Any
    data: ActionInput
    now: datetime.datetime
    # Filled by effects for the event record.
    event_data: dict[str, Any] = field(default_factory=dict)
    event_documents: list[str] = field(default_factory=list)
    new_state: str = ""
    _documents: list[Document] | None = field(default=None, repr=False)
    # guards.component_check's answer: asked by the RECEIVE guard and again by its effect.
    _components: Any = field(default=None, repr=False)

    @property
    def is_system_actor(self) -> bool:
        """A system acting through the one door (the payment platform, R-29), not a person."""
        return getattr(self.actor, "is_system_actor", False)

    def documents(self) -> list[Document]:
        """The documents the action cites, read once for guards and effects alike."""
        if self._documents is None:
            # Cited by their uploader or an officer handling this dossier, and attached to no
            # other dossier (item 4 of issue 8).
            self._documents = cited_documents(self.data.documents, actor=self.actor, dossier=self.dossier)
        return self._documents
