"""The optional parts of paperdigest, and the message that names the one a setting needs.

Share cards (Pillow and the Noto Sans CJK JP font wheels, ~28 MB) and Pagefind search
(~57 MB) are extras, as Material's ``mkdocs-material[imaging]`` is: ``paperdigest[cards]``
and ``paperdigest[search]``. ``make site`` installs both, because the default settings use
both; a site with ``cards: false`` and ``search: none`` needs neither.
"""

from __future__ import annotations

from importlib.util import find_spec

from ..errors import PaperdigestError

CARDS = "pip install 'paperdigest[cards]'"
SEARCH = "pip install 'paperdigest[search]'"


class MissingExtra(PaperdigestError):
    """A setting is on and the package it needs is not installed."""


def require_cards() -> None:
    """Raise ``MissingExtra`` unless Pillow, which draws the share cards, is installed."""
    if find_spec("PIL") is None:
        raise MissingExtra(f"paperdigest: cards: true draws share cards with Pillow, which is "
                           f"not installed: {CARDS}, or set cards: false under the "
                           "paperdigest plugin in mkdocs.yml")
