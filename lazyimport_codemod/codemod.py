"""``lazyimport fix`` as a LibCST codemod, for projects that drive their rewrites with LibCST.

    python -m libcst.tool codemod --no-format -x lazyimport_codemod.codemod.DeferHeavyImports app/

Each file is planned on its own, with the configuration found above it: the
codemod runner hands over one module at a time, so unlike ``lazyimport fix`` it
cannot see which other files of the project are being rewritten in the same run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import libcst as cst
from libcst.codemod import SkipFile, VisitorBasedCodemodCommand


class DeferHeavyImports(VisitorBasedCodemodCommand):
    """Move heavy module-level imports into the functions that use them, or behind lazy_import()."""

    DESCRIPTION: str = (
        "Defer heavy module-level imports (torch, pandas, ...): move them into the functions "
        "that use them, or bind them with lazy_import() when the name must stay a module "
        "attribute. Configured by [tool.lazyimport] in pyproject.toml."
    )

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        """Plan with the shared analysis and rewrite with the same code ``lazyimport fix`` uses.

        The whole module is planned from its bytes, so positions agree with the
        ast analysis; the result is parsed again because the runner wants a tree.
        """
        from lazyimport_codemod.fix.transform import TransformError, apply_plans
        from lazyimport_codemod.parse.source import SourceError
        from lazyimport_codemod.pipeline import plan_source
        from lazyimport_codemod.settings.config import line_length, load_config

        path = self._path()
        config = load_config(path.parent if path is not None else Path.cwd())
        source = tree.bytes
        try:
            plans = plan_source(source, path, config)
        except SourceError as exc:
            raise SkipFile(f"lazyimport cannot analyse this file: {exc}") from None
        if not plans:
            return tree
        try:
            result = apply_plans(source, plans, config.runtime_module, line_length(config))
        except TransformError as exc:
            raise SkipFile(f"lazyimport cannot rewrite this file: {exc}") from None
        if result == source:
            return tree
        return cst.parse_module(result)

    def _path(self) -> Optional[Path]:
        filename = self.context.filename
        return Path(filename).resolve() if filename else None
