"""CLI extensions: each module defines ``register(app)`` and is listed in
``projner.cli.EXTENSIONS``."""
