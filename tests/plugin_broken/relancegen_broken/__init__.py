"""Plugins broken in each way a plugin can be (and one that works), one module each."""
