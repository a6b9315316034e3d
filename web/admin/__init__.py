"""Administrators' pages (operations): deliveries of dossier events and timer health."""
