"""The built-in `assessment` plugin."""
