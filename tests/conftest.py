import pytest

pytest_plugins = ["relancegen.testing"]


@pytest.fixture(autouse=True, scope="session")
def _font_cache_of_the_session(tmp_path_factory):
    """Subset fonts go to a folder of the test session, not the user's ~/.cache."""
    folder = tmp_path_factory.mktemp("relancegen-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RELANCEGEN_CACHE_DIR", str(folder))
        yield folder
