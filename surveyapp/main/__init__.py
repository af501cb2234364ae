"""Public pages: the landing page and health check."""
