"""LI001: a heavy package imported at module level.

Decided here from the import's edge and the shared deferral decision
(:mod:`~lazyimport_codemod.rules.deferral`); worded by :func:`message`; fixed
by :mod:`~lazyimport_codemod.fix.transform`, which applies the decision.
"""

from __future__ import annotations


from lazyimport_codemod.records import Decision
from lazyimport_codemod.rules.deferral import Verdict
from lazyimport_codemod.rules.wording import outcome

TYPE_CHECKING = False
if TYPE_CHECKING:
    from lazyimport_codemod.project.graph import Edge, ModuleFacts
    from lazyimport_codemod.rules.checker import Checker

CODE = "LI001"
TITLE = "heavy package imported at module level"

DOC = """\
**What it does.** Reports an import of a heavy package (see [the list](#heavy-packages)) that
runs while the module is imported: in the module body, and also inside module-level `if`,
`try`, `with`, `for`/`while` and class bodies, which ruff's TID253 does not look into. Imports in
function bodies and in `if TYPE_CHECKING:` blocks do not count (the `else` of such a block does);
`__future__` imports never count.

**Why it matters.** A worker imports every router before it answers its first request. A single
`import torch` costs about 0.8 s, `from transformers import AutoTokenizer` about 1.3 s, pandas
about 0.2 s; a 62-router app that imported pandas, numpy, scipy, sklearn, matplotlib, boto3 and
sympy took 2.66 s to import, 0.34 s without them. Health checks and logins time out meanwhile.

**Example.**

```python
import pandas as pd

def summary(rows):
    return pd.DataFrame(rows).describe()
```

**Use instead.**

```python
def summary(rows):
    import pandas as pd

    return pd.DataFrame(rows).describe()
```

Each message says what `fix` will do (move the import into which functions, or bind the name
with `lazy_import()`), or why it cannot, naming the line of the first use that runs at import
time: a decorator, a default value, a base class, a class body, an annotation that FastAPI or
pydantic evaluates, a module-level statement, a function called at import time, a star import,
an optional import (`try/except ImportError`) fix cannot guard (see below).

**Conditional imports.** An import in a branch of a module-level `if`/`elif`/`else` (or a
`match` case) is deferred inside that same branch, so the condition still decides whether the
name is bound; each branch of a chain that imports one name gets its own proxy. The import moves
into functions only when that branch defines every function that uses it.

```python
if SECRETS == "kms":
    import boto3
else:
    boto3 = None
```

becomes

```python
from typing import TYPE_CHECKING
from lazyimport_codemod.runtime import lazy_import

if SECRETS == "kms":
    if TYPE_CHECKING:
        import boto3
    else:
        boto3 = lazy_import("boto3")
else:
    boto3 = None
```

**Names bound twice.** `import a.b` and `import a.c` both bind `a`: they are deferred together,
moved into the same functions, or bound to one proxy that imports every listed module on first
use, `a = lazy_import("a.b", top_level=True, submodules=("a.c",))`, with both imports under
`if TYPE_CHECKING:`. A name also bound some other way stays, and says where.

**Aliases.** `ChunkType = ChatCompletionChunk` directly in the module body copies the name
while the module is imported. A proxy can be copied without loading anything, so the import
becomes a proxy and the alias line stays: both names hold the same proxy, and each is judged by
its own uses (an alias used at import time, or where only the real object works, still pins it).

```python
from openai.types.chat import ChatCompletionChunk

ChunkType = ChatCompletionChunk
```

becomes

```python
from typing import TYPE_CHECKING
from lazyimport_codemod.runtime import lazy_import

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionChunk
else:
    ChatCompletionChunk = lazy_import("openai.types.chat", "ChatCompletionChunk")

ChunkType = ChatCompletionChunk
```

An alias of one attribute of an imported module, `Float = np.float64` after `import numpy as
np` (or `ChunkType = openai.types.chat.ChatCompletionChunk` after `import openai.types.chat`),
reads the module while it is imported. Where the module is imported once, directly in the module
body, the module becomes a proxy and the alias a proxy of its own, with the original line kept
for type checkers:

```python
import numpy as np

Float = np.float64
```

becomes

```python
from typing import TYPE_CHECKING
from lazyimport_codemod.runtime import lazy_import

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_import("numpy")

if TYPE_CHECKING:
    Float = np.float64
else:
    Float = lazy_import("numpy", "float64")
```

**Optional imports (unsafe fix).** `try: import x` / `except ImportError: <fallback>` (also
`ModuleNotFoundError`, a tuple of exceptions, `from x import y`, an `else:` clause, several names)
becomes an `if` on `importlib.util.find_spec("x")`, which says whether the top-level package is
installed without importing it: the `try` body and its `else` clause form the first branch, where
the import is deferred as in any branch, and the handler, whatever it does (bind `None`, a stub
class or function, a flag, log), the `else`. It is unsafe because the two differ when the
package is found but its import fails (a broken install, a missing system library such as
`libGL` for `cv2`), and for `from x import y` or `import x.y` also when the installed version
lacks `y`: the original binds the fallback, the fixed code raises the ImportError at first use.
Left alone, and said why: a `try` that is not directly in the module body, has a `finally` or
more than one `except`, whose body imports from more than one package or does more than import
and bind constants, whose handler reads the exception (`as e`, a bare `raise`,
`logger.exception()`, `exc_info`), or that imports a module of the project (the ImportError would
come from what that module imports).

```python
try:
    import torch
except ImportError:
    torch = None
```

becomes, with `lazyimport fix --unsafe-fixes`:

```python
import importlib.util
from typing import TYPE_CHECKING
from lazyimport_codemod.runtime import lazy_import

if importlib.util.find_spec("torch") is not None:
    if TYPE_CHECKING:
        import torch
    else:
        torch = lazy_import("torch")
else:
    torch = None
```

`torch is None` tests keep working: neither a module nor its proxy is ever None.

**Fix safety.** Deferring a heavy import is safe: what the package does when imported is its
own business, and it still happens, on first use. A fix that must keep a module attribute
binds a `lazy_import()` proxy, which behaves as the object it stands for.

**Helper annotations (unsafe fix).** Before Python 3.14, and without
`from __future__ import annotations`, the annotations of a function, of a class body and of a
module variable are evaluated when that statement runs, so a heavy name in a helper's
signature pins its import (LI002's first-party imports too). With `--unsafe-fixes`, fix quotes
each such annotation, whole, and defers the import as it defers any name annotations use: a
`lazy_import()` proxy, the real import under `if TYPE_CHECKING:` for type checkers. It is unsafe
because code that reads annotations at run time (`typing.get_type_hints()`,
`inspect.signature()`, a dependency injector) then gets strings. Never quoted: annotations
FastAPI, pydantic, dataclasses or attrs read (routes, dependencies used in `Depends(...)` here
or in another module, classes handed to a call such as `Depends(Service)`, model and
dataclass fields), and those of a function with a decorator that may read its signature
(`property`, `staticmethod`, `classmethod`, `functools.cache`, `lru_cache` and
`contextmanager` do not). On a `py314` or later target nothing needs quoting: those
annotations are evaluated only when asked (PEP 649), and the fix is safe.

```python
import pandas as pd

def shape(frame: pd.DataFrame) -> tuple[int, int]:
    return frame.shape
```

becomes, with `lazyimport fix --unsafe-fixes`:

```python
from typing import TYPE_CHECKING
from lazyimport_codemod.runtime import lazy_import

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_import("pandas")

def shape(frame: "pd.DataFrame") -> tuple[int, int]:
    return frame.shape
```

**Options.** `heavy-packages`, `extend-heavy-packages`, `unsafe-fixes`, `target-version`.
"""


def applies(edge: Edge) -> bool:
    """Whether the import's edge is this rule's: it imports a heavy package itself, eagerly
    as written (a lazy import resolved anyway is LI003's)."""
    return edge.heavy is not None and not edge.lazy


def verdict(checker: Checker, facts: ModuleFacts, edge: Edge) -> Verdict:
    """The decision for one heavy import: the shared deferral decision, nothing more."""
    assert edge.heavy is not None
    return Verdict(edge, checker.decision(facts, edge), {edge.heavy: (edge.heavy,)})


def message(package: str, decision: Decision, unsafe_fixes: bool = False) -> str:
    return f"heavy package `{package}` is imported at module level; {outcome(decision, unsafe_fixes)}"
