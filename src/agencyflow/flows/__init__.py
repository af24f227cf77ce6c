"""Prefect flows: start a cycle, sweep reminders, dispatch notifications (absolute imports).

Importing a flow module imports Prefect (~1.5 s): interactive commands never do.
"""
