"""Survey answers: the scale of each emotion score and how answers become numbers.

It sits below both :mod:`bpmtool.io.surveys` (the reader, which checks answers against the
scale) and :mod:`bpmtool.mining.journey_sentiment` (which scores them), so neither imports
the other.

>>> SCORE_RANGES["nps"]
(0.0, 10.0)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SCORE_RANGES", "score_numbers"]

#: the answer scale of each emotion score: NPS 0-10, CSAT 1-5
SCORE_RANGES = {"nps": (0.0, 10.0), "csat": (1.0, 5.0)}


def score_numbers(values: pd.Series) -> pd.Series:
    """Answers as floats; what is not a number becomes NaN, a huge number ``inf``."""
    import pandas as pd

    if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
        values = values.astype("string")  # Python ints of any size would overflow a float
    return pd.to_numeric(values, errors="coerce").astype(float)
