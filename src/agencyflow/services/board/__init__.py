"""The board: assignments with their official status on a day, pages of it, "as of" reads,
targets."""
