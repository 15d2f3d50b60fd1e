"""Search: the heavy packages arrive through the app's own service module."""

from fastapi import APIRouter

from slowapp.services.embed import embed_text

router = APIRouter(prefix="/search")


@router.get("/")
def search(q: str) -> dict:
    return {"query": q, "vector": embed_text(q)}
