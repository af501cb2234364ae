"""Request hygiene, language choice and rate-limit pages, shared by every blueprint."""
