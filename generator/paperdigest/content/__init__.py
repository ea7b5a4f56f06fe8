"""Reading and validating content: YAML, digests, author records, the frozen ``Site`` model.

Nothing here knows about MkDocs, the network or the terminal.
"""
