"""The page routers, one module per area; :func:`routers` lists them for the app factory."""

from __future__ import annotations

from importlib import import_module

from fastapi import APIRouter

#: Modules under agencyflow.web.pages that define ``router``.
MODULES = ("auth", "home", "work", "board", "assignment", "extensions", "cycles", "audit",
           "notifications", "users", "tokens", "charts", "reports", "feeds")


def routers() -> list[APIRouter]:
    """Every page router, in :data:`MODULES` order."""
    return [import_module(f"agencyflow.web.pages.{name}").router for name in MODULES]
