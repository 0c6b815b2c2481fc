"""``python -m sepsiscope``."""

from sepsiscope.cli import main

main()
