import pytest

from gateway import API_KEY, SmsGateway

pytest_plugins = ["relancegen.testing"]


@pytest.fixture
def gateway(monkeypatch):
    """The SMS gateway stand-in, running; the API key in the environment as CI would set it."""
    monkeypatch.setenv("SMS_API_KEY", API_KEY)
    with SmsGateway() as running:
        yield running


@pytest.fixture
def settings(gateway):
    """The channel's settings as site.yml gives them (channels.sms, less plugin and stages)."""
    return {"base_url": gateway.base_url, "api_key_env": "SMS_API_KEY", "sender": "ATELIER"}
