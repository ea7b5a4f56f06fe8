"""Turning the ``Site`` model into pages and files: URLs, templates, feeds, search, the plugin."""
