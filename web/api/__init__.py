"""The JSON API under /api/v1 (described by web/api/openapi.py)."""
