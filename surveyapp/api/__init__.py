"""The public JSON API: receipts for one-stop software, responses for the client."""
