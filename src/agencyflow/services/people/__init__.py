"""People: users and roles, passwords, browser sessions, API tokens, and role-checked access."""
