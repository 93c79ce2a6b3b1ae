"""The lab: the annotated corpus, training and agreement studies. Runtime code
(`detente.coding`) never imports this package."""
