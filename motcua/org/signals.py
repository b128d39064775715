from django.dispatch import Signal

# Sent inside the merger's transaction with kwargs predecessor: Unit, successor: Unit,
# effective_on: date. Apps above org (catalog, later dossiers) move what they own to the successor,
# so org never has to import them (the import-linter layers).
unit_merged = Signal()
