"""The audit trail: appending and verifying the hash chain, and checkpoints kept outside the
database."""
