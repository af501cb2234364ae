"""Bundled data: questionnaire versions and service fields."""
