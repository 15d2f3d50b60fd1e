"""The LibCST half of ``lazyimport fix``: apply the analysis' plans and write the result."""
