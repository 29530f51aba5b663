pytest_plugins = ["relancegen.testing"]
