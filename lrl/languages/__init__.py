"""Language plugins: the manifest schema, discovery, and checks. The data lives in ``languages/<code>/``."""

from lrl.languages.discovery import find_plugin, list_plugins
from lrl.languages.plugin import Plugin, load_plugin

__all__ = ["Plugin", "find_plugin", "list_plugins", "load_plugin"]
