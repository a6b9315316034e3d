"""Citizen pages: catalogue, procedure page, apply, confirmation, tracking (server-rendered, no JS needed)."""
