"""bpmtool: find the gaps and overlaps in the handoffs of a business process."""

__version__ = "0.1.0"
