"""Depends on a package that is not installed."""

import relancegen_sms_gateway_sdk  # noqa: F401
