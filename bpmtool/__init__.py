"""bpmtool: find the gaps and overlaps in the handoffs of a business process."""

#: the one source of the version: pyproject.toml reads it from here
__version__ = "0.1.0"
