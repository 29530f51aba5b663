from pathlib import Path

import pytest

pytest_plugins = ["relancegen.testing"]
TESTS = Path(__file__).parent
# The SMS plugin's own tests run in their own pytest, as its author runs them, with the
# plugin installed (tests/test_sms_plugin.py).
collect_ignore = ["plugin_sms"]


@pytest.fixture(scope="session")
def fax_plugin_path(tmp_path_factory) -> Path:
    """tests/plugin_fax, pip-installed into a folder for ``run_cli_process(path=[...])``."""
    from relancegen.testing import install_plugin

    return install_plugin(TESTS / "plugin_fax", tmp_path_factory.mktemp("fax-plugin"))


@pytest.fixture(autouse=True, scope="session")
def _font_cache_of_the_session(tmp_path_factory):
    """Subset fonts go to a folder of the test session, not the user's ~/.cache."""
    folder = tmp_path_factory.mktemp("relancegen-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RELANCEGEN_CACHE_DIR", str(folder))
        yield folder
