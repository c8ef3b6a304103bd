"""Django inside the bench process: settings from the bench's environment."""

import os


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()
