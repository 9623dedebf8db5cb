"""The built-in `engagement` plugin."""
