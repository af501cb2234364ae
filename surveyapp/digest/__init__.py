"""The weekly digest by email: `flask digest send`."""
