"""Health endpoints for the load balancer and the process supervisor."""
