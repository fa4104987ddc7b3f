"""Categorical log columns recoded by their codes: the cost follows the distinct values, not
the events, and no Python string is made per event."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["recode", "text_categories"]


def recode(
    column: pd.Series, mapping: Mapping[Any, str | None], dtype: str | None = None
) -> pd.Categorical:
    """Map a categorical column's values through ``mapping`` (missing or ``None`` → empty);
    the new categories are the values used, sorted (as pandas makes them).

    >>> import pandas as pd
    >>> recode(pd.Series(["a", "b", None, "a"], dtype="category"), {"a": "x"}).tolist()
    ['x', nan, nan, 'x']
    """
    import numpy as np
    import pandas as pd

    targets = [mapping.get(c) for c in column.cat.categories]
    codes = column.cat.codes.to_numpy()
    used = np.bincount(codes[codes >= 0], minlength=len(targets)) > 0
    values = sorted({t for t, u in zip(targets, used, strict=True) if t is not None and u})
    position = {t: i for i, t in enumerate(values)}
    # one slot more at the end, where the code -1 (an empty cell) lands
    remap = np.array(
        [position.get(t, -1) if t is not None else -1 for t in targets] + [-1], dtype=np.int32
    )
    return pd.Categorical.from_codes(
        remap[codes], categories=pd.Index(values, dtype=dtype or object)
    )


def text_categories(column: pd.Series) -> pd.Categorical:
    """A text column as a categorical of sorted text categories, none of them unused, so
    results do not depend on the reader that made the column.

    >>> import pandas as pd
    >>> column = pd.Series(pd.Categorical(["b", None, "a"], categories=["c", "b", "a"]))
    >>> text_categories(column).categories.tolist()
    ['a', 'b']
    """
    import pandas as pd

    if not isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype("string").astype("category")
    return recode(column, {c: str(c) for c in column.cat.categories}, dtype="string")
