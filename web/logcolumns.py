"""The columns of an uploaded log, for the column-mapping form: all from :mod:`bpmtool.api`."""

from __future__ import annotations

from bpmtool.api import COLUMN_ROLES as ROLES
from bpmtool.api import LogColumns, log_columns

__all__ = ["ROLES", "LogColumns", "log_columns"]
