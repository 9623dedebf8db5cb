"""HTTP conventions shared by the core and plugins: problem responses, the ``api`` decorator,
JSON encoding and the OpenAPI document."""
