"""The agencyflow benchmark: `make bench` (python -m bench.run)."""
