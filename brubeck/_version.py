"""The single source of Brubeck's version number."""

__version__ = "0.5.0.dev0"
