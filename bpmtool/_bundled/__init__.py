"""The example models and logs that ship inside the package (``bpmtool demo``, ``bpmtool serve``).

``models`` and ``examples`` here are links to the repository's top-level ``models/`` and
``examples/`` folders; a built wheel holds copies of their files.

>>> REFERENCE_MODEL.name, REFERENCE_MODEL.is_file()
('saas-handoffs.yaml', True)
>>> EXAMPLE_LOG.parent.name
'examples'
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "EXAMPLES",
    "EXAMPLE_LOG",
    "EXAMPLE_SURVEYS",
    "FLAWED_MODEL",
    "MODELS",
    "REFERENCE_MODEL",
]

_HERE = Path(__file__).resolve().parent
MODELS = _HERE / "models"
EXAMPLES = _HERE / "examples"
REFERENCE_MODEL = MODELS / "saas-handoffs.yaml"
FLAWED_MODEL = MODELS / "flawed-handoffs.yaml"
EXAMPLE_LOG = EXAMPLES / "saas-handoffs.csv"
EXAMPLE_SURVEYS = EXAMPLES / "saas-handoffs-surveys.csv"
