"""Request hygiene, security headers, language choice and rate-limit pages."""
