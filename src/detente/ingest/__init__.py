"""Ingestion: readers for each format, cleaning, metadata and publication dates."""
