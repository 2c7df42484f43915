"""Analysis: balance, trade indicators, export potential, gravity and product space."""
