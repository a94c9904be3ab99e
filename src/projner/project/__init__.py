"""Projection algorithms (filled in below)."""
