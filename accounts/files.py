"""Deleting stored files after the rows that named them are gone."""

import logging

logger = logging.getLogger(__name__)


def stored_files_delete(storage, names) -> None:
    """Deletes each file, carrying on past failures: a storage outage must not undo a
    committed change, and a leftover file is for the orphan sweep to find."""
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.exception("could not delete %s from storage", name)
