"""`python -m connectlang`."""

from .cli import main

main()
