"""The built-in ``maileva`` postal channel: simple and registered letters (LRAR)."""
