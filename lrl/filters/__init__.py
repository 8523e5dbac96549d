"""Normalization and filters. Each filter scores (numbers kept in ``record.scores``) and then decides."""
