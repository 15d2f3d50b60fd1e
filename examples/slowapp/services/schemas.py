"""Response models shared by routers."""

from pydantic import BaseModel


class Score(BaseModel):
    value: float
