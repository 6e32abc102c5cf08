"""zakupki223."""
