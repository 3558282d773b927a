"""Helpers shared by the tests of every folder; the fixtures are in tests/conftest.py."""
