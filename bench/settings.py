"""The settings gunicorn runs under in the bench: the product's, plus the
framework floor's URL (bench.floor). Everything else is the same object, so
the kiosk API and the floor pay the same middleware, authentication and
database settings."""

from pitstop.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor"
