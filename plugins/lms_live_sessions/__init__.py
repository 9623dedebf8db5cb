"""The built-in `live_sessions` plugin."""
