"""Readers (text, TSV, JSONL, CoNLL, parquet, ``datasets`` folders) and writers (parquet shards, dataset
card, rejects, manifest)."""
