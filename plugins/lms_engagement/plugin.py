"""Hook implementations of the `engagement` plugin."""

from lms_core.plugin_api import PluginInfo

PLUGIN_INFO = PluginInfo(name="engagement", version="0.1.0", api=">=1.0,<2")
