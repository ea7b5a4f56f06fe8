"""paperdigest: research-paper digests in, a MkDocs + Material site out."""

__version__ = "0.1.0"
