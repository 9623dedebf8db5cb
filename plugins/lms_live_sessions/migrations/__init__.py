"""Migrations of the `live_sessions` app."""
