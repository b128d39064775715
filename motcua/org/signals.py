from dataclasses import dataclass, field

from django.dispatch import Signal

# Sent inside the merger's transaction, once per predecessor, with kwargs predecessor: Unit,
# successor: Unit, effective_on: date, merger: UnitMerger | None, actor: User | None. Apps above
# org (catalog, dossiers) move what they own to the successor, so org never has to import them (the
# import-linter layers). Each receiver returns a list of `Handover` saying what it moved: the
# preview runs the very same receivers in a transaction it rolls back, so what it shows is what a
# commit does (org.services.preview_merger).
unit_merged = Signal()


@dataclass
class Handover:
    """What one part of a merger moved — or, in a preview, would move — for one predecessor."""

    key: str  # stable identifier, the key of UnitMerger.moved ("dossiers", "procedures", …)
    label: str  # what a person reads, in Vietnamese
    count: int
    # Vietnamese label → number (e.g. the moved dossiers by state).
    breakdown: dict[str, int] = field(default_factory=dict)
    # What an administrator checks one by one (officers, procedures), capped by the sender.
    items: list[str] = field(default_factory=list)
    # What to look at before committing (a conflict resolved one way, work left to do by hand).
    warnings: list[str] = field(default_factory=list)
