"""ocds."""
