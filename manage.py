#!/usr/bin/env python
"""Django's manage.py; `contactpunt` is the same with the product's name."""

from contactpunt.cli import main

if __name__ == "__main__":
    main()
