"""The citizen survey: counter QR code -> form -> thank-you page."""
