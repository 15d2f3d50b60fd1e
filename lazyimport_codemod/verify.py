"""Run-time proof from pytest that importing a module stays light.

    from lazyimport_codemod.verify import assert_light

    def test_worker_starts_light() -> None:
        assert_light("app.main")

The implementation lives in :mod:`lazyimport_codemod.checks.verify`; this module is its public
import path.
"""

from lazyimport_codemod.checks.verify import (
    HeavyHit,
    Link,
    ModuleError,
    VerifyError,
    VerifyResult,
    assert_light,
    verify_module,
)

__all__ = ["HeavyHit", "Link", "ModuleError", "VerifyError", "VerifyResult", "assert_light", "verify_module"]
