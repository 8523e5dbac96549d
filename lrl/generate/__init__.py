"""Generators: lexicon templating, back-translation, paraphrase."""
