"""`python -m plankb.api.cli`: the same as the `plankb` command."""
from plankb.api.cli import main

main()
