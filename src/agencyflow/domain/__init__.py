"""Pure domain core: plan specs, working-day calendar, lifecycle and reminder policy."""
