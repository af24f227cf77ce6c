"""Prefect tasks: thin wrappers around services (names, tags, retries); nothing per assignment.

Importing this package imports Prefect: only flows and ``agencyflow serve`` do.
"""
