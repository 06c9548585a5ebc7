from tests.plans.fixtures import *  # noqa: F403 - shared fixtures
