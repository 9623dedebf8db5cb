"""Hook implementations of the `live_sessions` plugin."""

from lms_core.plugin_api import PluginInfo

PLUGIN_INFO = PluginInfo(name="live_sessions", version="0.1.0", api=">=1.0,<2")
