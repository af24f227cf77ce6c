"""agencyflow."""
