"""The `grader` command line: thin typer commands over the library, mapping domain errors to one line and an exit code."""
