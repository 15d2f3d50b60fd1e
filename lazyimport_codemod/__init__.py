"""lazyimport: find heavy module-level imports and defer them.

This module stays import-light on purpose: user code imports
``lazyimport_codemod.runtime`` at startup, which imports this package first.
"""

__version__ = "0.1.0"
