"""``python -m relancegen``: the same command line as the ``relancegen`` console script."""

from relancegen.cli import main

if __name__ == "__main__":
    main(prog_name="relancegen")
