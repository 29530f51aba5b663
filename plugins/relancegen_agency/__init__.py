"""The built-in ``agency-export`` channel: a ZIP case file per client for a collection agency."""
