"""PEP 634 (Python 3.10): match statements, with names in every part of them."""
import numpy as np
import pandas as pd
from torch import Tensor
from app import settings
from app.shapes import Point, Circle

match settings.backend:
    case "numpy" | "cupy":
        import scipy
        ARRAY = np.ndarray
    case pd.DataFrame.__name__ as name if name:
        from sklearn import linear_model
    case _:
        pass


def describe(value):
    match value:
        case Point(x=0, y=y) if y > np.pi:
            return y
        case Circle(r) | [r, *_] | {"r": r, **rest}:
            return r
        case Tensor():
            return value.shape
        case (1 | 2 | (3 | 4)) as small:
            return small
        case -1 | 1 + 2j | "a" "b" | None | True | pd.NA:
            return None
        case [np.inf, *tail]:
            return tail


match pd.options, np.e:
    case a, b:
        pass

match settings.mode:
    case Point() as Circle:
        pass
