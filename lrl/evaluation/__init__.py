"""Downstream evaluation: does the augmented data help a model trained on it? (``lrl eval``)"""
