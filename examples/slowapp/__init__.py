"""A small FastAPI app whose routers pull in heavy packages, for the README's demo."""
