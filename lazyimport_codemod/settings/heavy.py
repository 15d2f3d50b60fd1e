"""Which imported modules count as heavy, and the built-in list of them.

:class:`HeavyMatcher` is asked about every import of every file, so it answers
from a dict after the first question about a name, and it imports nothing but
the standard library (``re`` only when a pattern is a glob), keeping
``lazyimport lint`` quick to start.
"""

from __future__ import annotations


TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Optional
    import re

# Each entry is an import name (not a distribution name) whose module-level
# import costs roughly 100 ms or more on a typical machine, cumulative with what
# it pulls in.  A name covers its submodules ("torch" covers "torch.nn");
# "langchain*" covers every top-level package whose name starts with langchain.
# Left out on purpose, as too cheap to be worth deferring: PIL (``from PIL
# import Image`` is ~20-40 ms; Pillow is usually needed by the code that imports
# it anyway), tokenizers and tiktoken (tens of ms; their cost is in loading an
# encoding, not the import), sqlalchemy and pydantic (web apps need them at
# import time for their models), and app frameworks such as streamlit.
BUILTIN_HEAVY_PACKAGES: tuple[str, ...] = tuple(
    sorted(
        {
            # Deep learning frameworks and the libraries built on them (all load
            # torch, tensorflow or jax, several hundred ms to seconds).
            "accelerate",
            "diffusers",
            "flax",
            "jax",
            "jaxlib",
            "keras",
            "lightning",
            "paddle",
            "peft",
            "pytorch_lightning",
            "sentence_transformers",
            "tensorflow",
            "timm",
            "torch",
            "torchaudio",
            "torchvision",
            "transformers",
            "ultralytics",
            "vllm",
            # Inference runtimes and vector search.
            "faiss",
            "onnxruntime",
            # Classic machine learning and statistics.
            "catboost",
            "lightgbm",
            "optuna",
            "prophet",
            "pymc",
            "shap",
            "sklearn",
            "statsmodels",
            "umap",
            "xgboost",
            # Scientific computing, numeric compilers and symbolic maths.
            "networkx",
            "numba",
            "numpy",
            "scipy",
            "sympy",
            # Dataframes and columnar data.
            "dask",
            "datasets",
            "pandas",
            "polars",
            "pyarrow",
            "pyspark",
            # Plotting.
            "altair",
            "bokeh",
            "matplotlib",
            "plotly",
            "seaborn",
            # Computer vision and audio.
            "cv2",
            "librosa",
            "skimage",
            # Natural language processing.
            "gensim",
            "nltk",
            "spacy",
            # Cloud SDKs (large generated clients and service models).
            "aiobotocore",
            "azure",
            "boto3",
            "botocore",
            "firebase_admin",
            "google.cloud",
            "googleapiclient",
            "kubernetes",
            # LLM clients and frameworks (big pydantic model trees, many deps).
            "anthropic",
            "cohere",
            "google.genai",
            "google.generativeai",
            "langchain*",
            "litellm",
            "llama_index",
            "openai",
            # Vector databases' clients.
            "chromadb",
            "pinecone",
            "pymilvus",
            "qdrant_client",
            "weaviate",
            # Experiment tracking and distributed compute.
            "mlflow",
            "ray",
            "wandb",
        }
    )
)

_GLOB_CHARS = frozenset("*?[")


def is_glob(pattern: str) -> bool:
    """True when ``pattern`` uses fnmatch syntax rather than naming one package."""
    return not _GLOB_CHARS.isdisjoint(pattern)


class HeavyMatcher:
    """Decide whether an absolute dotted module name belongs to a heavy package.

    Exact names are checked against every dotted prefix of the module, shortest
    first, so ``torch.nn.functional`` reports ``torch`` (the package whose import
    costs the time) even when ``torch.nn`` is listed too.  A glob with ``n``
    dot-separated parts is matched against the module's first ``n`` parts, and
    those parts are reported (``langchain*`` reports ``langchain_core``).
    """

    def __init__(self, patterns: Iterable[str]) -> None:
        exact: set[str] = set()
        globs: dict[int, list[str]] = {}
        for raw in patterns:
            pattern = raw.strip()
            if not pattern:
                continue
            if is_glob(pattern):
                globs.setdefault(pattern.count(".") + 1, []).append(pattern)
            else:
                exact.add(pattern)
        self._exact = frozenset(exact)
        self._globs = _compile_globs(globs) if globs else ()
        self._cache: dict[str, Optional[str]] = {}

    def match(self, module: str) -> Optional[str]:
        """Return the package name to report if ``module`` is heavy, else None.

        Relative names (``.models``) are never heavy: they are first-party.
        """
        try:
            return self._cache[module]
        except KeyError:
            pass
        found = None if module.startswith(".") or not module else self._lookup(module)
        self._cache[module] = found
        return found

    def _lookup(self, module: str) -> Optional[str]:
        parts = module.split(".")
        for size in range(1, len(parts) + 1):
            prefix = ".".join(parts[:size]) if size > 1 else parts[0]
            if prefix in self._exact:
                return prefix
            for glob_size, regex in self._globs:
                if glob_size == size and regex.match(prefix):
                    return prefix
        return None


def _compile_globs(globs: dict[int, list[str]]) -> tuple[tuple[int, re.Pattern[str]], ...]:
    """One regex per number of dotted parts: a handful at most, compiled once."""
    import fnmatch
    import re

    compiled: list[tuple[int, re.Pattern[str]]] = []
    for size in sorted(globs):
        alternatives = "|".join(fnmatch.translate(pattern) for pattern in sorted(globs[size]))
        compiled.append((size, re.compile(alternatives)))
    return tuple(compiled)
