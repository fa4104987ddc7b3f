"""`python -m bpmtool` runs the command line."""

from bpmtool.cli import main

main()
