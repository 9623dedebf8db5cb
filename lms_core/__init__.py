"""Core of the blended-learning LMS: users, institutions, courses, classes, auth and plugins."""

__version__ = "0.1.0"

#: Version of the public plugin API (the hook specifications in ``lms_core.hookspecs``).
#: Plugins declare the range they support; see docs/plugins.md for the compatibility promise.
PLUGIN_API_VERSION = "1.1"
