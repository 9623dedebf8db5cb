"""Service functions: the business rules, called by thin HTTP handlers and the CLI."""
