"""Hook implementations of the `assessment` plugin."""

from lms_core.plugin_api import PluginInfo

PLUGIN_INFO = PluginInfo(name="assessment", version="0.1.0", api=">=1.0,<2")
