"""``python -m immiplan``: the same as the ``immiplan`` command."""

from immiplan.cli import entry_point

if __name__ == "__main__":
    entry_point()
