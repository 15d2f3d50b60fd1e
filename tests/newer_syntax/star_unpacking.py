"""PEP 646 (Python 3.11): starred subscripts and *args annotations;
PEP 798 (Python 3.15): unpacking in comprehensions; walrus in an index (3.10)."""
import numpy as np
from torch import Tensor
from app.shapes import Shape

Vector = Tensor[*Shape]
Pair = Tensor[*Shape, np.float32]
Single = np.ndarray[*Shape,]
FLAT = [*row for row in np.eye(2)]
MERGED = {**d for d in ({"a": np.pi},)}
GEN = list(*row for row in np.eye(2))
INDEX = np.arange(3)[n := 1]


def apply(*args: *Shape) -> Tensor:
    return {*a for a in args}
