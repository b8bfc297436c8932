"""The `rendement` command line (`main.py`): one module per subcommand."""
