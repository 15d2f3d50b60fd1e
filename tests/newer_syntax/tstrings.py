"""PEP 750 (Python 3.14): template strings."""
import numpy as np
from pandas import DataFrame

QUERY = t"select {np.pi!r:>{DataFrame.__name__}} from {np=}"


def render(rows):
    return t"{DataFrame(rows)} rows"
