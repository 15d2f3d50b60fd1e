"""Plots: matplotlib is used in two endpoints and a helper."""

import io

import matplotlib.pyplot as plt
from fastapi import APIRouter

router = APIRouter(prefix="/plots")


def _render(xs: list) -> int:
    figure = plt.figure()
    buffer = io.BytesIO()
    figure.savefig(buffer)
    return len(buffer.getvalue())


@router.get("/line")
def line() -> dict:
    return {"bytes": _render([1, 2, 3])}


@router.get("/backend")
def backend() -> dict:
    return {"backend": plt.get_backend()}
