"""Synchronisation with the National Public Service Portal (R-22): the outbound delivery of the
dossiers' outbox, the dossiers forwarded by the portal (inbound), and the province's view of how
well both work (sync health, indicator 1.4 of QĐ 766)."""
