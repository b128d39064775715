"""Measuring the service: the Decision 766 index (indicator definitions as versioned data, the
engine, the score-recovery plan) and the one-stop reports the province's letters ask for."""
