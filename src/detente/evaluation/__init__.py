"""Accuracy measurement, apart from the runtime: scoring extracted events against
labelled sets (detente's corpus, gold JSONL files) with intervals and grouped errors."""
