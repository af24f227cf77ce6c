"""Delivery: the dispatcher that sends the outbox, digests, rendering contexts, the real
adapters."""
