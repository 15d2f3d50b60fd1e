"""PEP 701 (Python 3.12): f-strings with quotes, backslashes and comments inside."""
import numpy as np
import pandas as pd
from torch import Tensor

NAME = f"{np.__name__['a']!r:>{pd.options.width}}"
LINES = f"{'\n'.join(pd.__all__)}"
NESTED = f"{f"{f"{Tensor}"}"}" "plain" f'{np=}'
MULTI = f"""{
    np.pi  # a comment
    + 1
}"""


def show(frame):
    return f"{frame["col"]:{np.e}.{pd.NA}} {Tensor!s}"
