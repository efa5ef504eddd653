"""Fixtures for the activity tests live in tests/conftest.py, shared with the reports tests."""
