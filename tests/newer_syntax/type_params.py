"""PEP 695 (Python 3.12) and PEP 696 (3.13): type parameters and type aliases."""
import numpy as np
import torch
from pandas import DataFrame
from app.types import Base, Meta

type Array = np.ndarray
type Batch[T: torch.Tensor = torch.Tensor, *Shape, **P] = list[T]
type Frame[
    T: (DataFrame, np.ndarray),  # constrained
] = dict[str, T]


def first[T: np.generic](items: list[T]) -> T:
    return items[0]


async def stream[T = int](x: T) -> T:
    return torch.as_tensor(x)


class Model[T: Base](Base, metaclass=Meta):
    type Inner = DataFrame

    def forward[S](self, x: S) -> S:
        return torch.relu(x)
