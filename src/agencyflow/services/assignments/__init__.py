"""Assignment use cases: the moves of the lead and the coordinator, contributions, evidence,
extensions."""
