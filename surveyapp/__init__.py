"""surveyapp: SIPAS-style citizen satisfaction surveys."""
