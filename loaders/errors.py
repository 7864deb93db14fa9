"""Exceptions raised by the ``loaders`` package.

::

    network.errors.DataError
    └── LoaderError              a load cannot go on
        ├── UnreadableSource     the file is missing, not text, or has no header pnet knows
        ├── TooManyRejects       the reject rate passed --max-reject-rate (the report is still written)
        └── LoadFailed           a load run in a process of its own failed otherwise (its error as text)
"""

from __future__ import annotations

from network.errors import DataError


class LoaderError(DataError):
    """A load cannot go on."""


class UnreadableSource(LoaderError):
    """The file cannot be read at all, or has a layout pnet does not know."""


class TooManyRejects(LoaderError):
    """More rows were rejected than ``--max-reject-rate`` allows."""


class LoadFailed(LoaderError):
    """A load in a process of its own (``loaders.schedule``) failed with an error that cannot cross back."""
