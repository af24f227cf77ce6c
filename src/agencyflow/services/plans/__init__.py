"""Plans and cycles: loading plans, starting cycles, the working-day calendar, the timeline."""
