"""Receipt QR codes: the citizen's one-time survey and the managers' pages."""
