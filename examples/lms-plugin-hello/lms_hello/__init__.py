"""An example LMS plugin: the hooks live in ``lms_hello.plugin``."""
