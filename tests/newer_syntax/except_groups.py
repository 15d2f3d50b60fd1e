"""PEP 758 (Python 3.14): except without parentheses; PEP 654 (3.11): except*."""
import numpy as np
from pandas.errors import ParserError, EmptyDataError
from app.errors import AppError, OtherError

try:
    np.load("x")
except ParserError, EmptyDataError:
    pass
except  AppError  ,  OtherError  ,:
    pass


def read(path):
    try:
        return np.load(path)
    except* ParserError, EmptyDataError:
        raise AppError
    except* (OtherError, ValueError) as group:
        return group
