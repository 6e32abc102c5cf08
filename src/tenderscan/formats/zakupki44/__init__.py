"""zakupki44."""
