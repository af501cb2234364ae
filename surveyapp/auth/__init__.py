"""Managers sign in, sign out and change their password."""
