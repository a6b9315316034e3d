"""Integrations: outbox subscribers that carry dossier events out of the system (imports engine only)."""
