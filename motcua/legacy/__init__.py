"""Dossiers migrated from the province's old one-stop software (R-09, R-25): the import keeps their
codes, dates and history; the report finds the ones still open so they can be closed out."""
