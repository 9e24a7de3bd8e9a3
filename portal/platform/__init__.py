"""The platform admin area: leagues across the whole deployment."""
