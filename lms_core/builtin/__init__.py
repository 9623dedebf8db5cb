"""Core features registered through the public hooks, exactly as third-party plugins are."""
