"""compensation."""
