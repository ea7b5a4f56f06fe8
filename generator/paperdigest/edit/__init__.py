"""Tools that write into ``content/``: scaffolds, dump import, author records."""
