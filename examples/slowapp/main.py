"""The app object: importing it imports every router, as gunicorn workers do."""

from fastapi import FastAPI

from slowapp.routers import health, plots, reports, scoring, search

app = FastAPI(title="slowapp")
for module in (health, reports, plots, scoring, search):
    app.include_router(module.router)
