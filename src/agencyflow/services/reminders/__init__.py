"""Reminders: the sweep that writes due notices to the outbox, and the notices use cases write."""
