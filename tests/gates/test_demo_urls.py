"""Every URL pattern's arguments can be filled from the demo (no browser needed: fails fast)."""

from tests.gates.demo_urls import DEMO_ARGUMENTS, DEMO_URL_KWARGS, app_urls, unregistered


def test_every_url_argument_is_filled_from_the_demo():
    missing = unregistered(app_urls())
    assert not missing, f"register these URL arguments in tests/gates/demo_urls.py (DEMO_ARGUMENTS): {missing}"


def test_every_registered_url_still_exists():
    names = {url.name for url in app_urls()}
    arguments = {argument for url in app_urls() for argument in url.arguments}
    assert not set(DEMO_URL_KWARGS) - names, f"no such URL, drop from DEMO_URL_KWARGS: {set(DEMO_URL_KWARGS) - names}"
    assert not set(DEMO_ARGUMENTS) - arguments, f"no URL takes these: {set(DEMO_ARGUMENTS) - arguments}"
