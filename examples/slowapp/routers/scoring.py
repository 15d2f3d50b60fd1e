"""Scoring: the model class is a route's response model, so FastAPI needs it at import."""

from fastapi import APIRouter
from sklearn.linear_model import LinearRegression

from slowapp.services.schemas import Score

router = APIRouter(prefix="/scoring")
MODEL = LinearRegression()  # built while the module is imported


@router.get("/score", response_model=Score)
def score(x: float = 1.0) -> Score:
    return Score(value=MODEL.predict(x))
