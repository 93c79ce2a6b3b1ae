"""Actors: placeholder."""
