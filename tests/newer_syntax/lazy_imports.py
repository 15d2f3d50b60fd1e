"""PEP 810 (Python 3.15): lazy imports in every position the parser accepts."""
lazy import torch
lazy import numpy as np
lazy import pandas.io.formats as formats
lazy from transformers import AutoModel, AutoTokenizer as Tok
lazy from .services import embed
lazy from ..models import (
    Ranker,
    Scorer as S,
)
import matplotlib
x = 1; lazy import sklearn
lazy \
    import scipy

if torch:
    lazy import polars
with open("f"):
    lazy from datasets import load_dataset

__lazy_modules__ = ["matplotlib", "app.heavy"]
__lazy_modules__ += ("seaborn",)
__lazy_modules__.append("plotly")
__lazy_modules__.extend(["bokeh"])


def run(text):
    model = AutoModel.from_pretrained(Tok)
    return torch.tensor(np.zeros(1)), formats, embed(text), Ranker, S, matplotlib, sklearn, scipy


DEFAULT = load_dataset
lazy = "a name, not a keyword"
lazy.upper()
