"""Hook implementations of the `quizzes` plugin."""

from lms_core.plugin_api import PluginInfo

PLUGIN_INFO = PluginInfo(name="quizzes", version="0.1.0", api=">=1.0,<2")
