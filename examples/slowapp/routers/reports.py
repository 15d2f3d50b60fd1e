"""Reports: pandas is only needed inside the endpoint."""

import json

import pandas as pd  # heavy, but only used when a report is requested
from fastapi import APIRouter

router = APIRouter(prefix="/reports")


@router.get("/summary")
def summary(values: str = "1,2,3") -> dict:
    """Describe a comma-separated list of numbers."""
    frame = pd.DataFrame({"value": [float(v) for v in values.split(",")]})
    return json.loads(frame.describe().to_json())
