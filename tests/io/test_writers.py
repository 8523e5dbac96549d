from pathlib import Path

import pyarrow.parquet as pq

from lrl.io.writers import ShardWriter
from lrl.record import Record


def test_streaming_shards_hold_every_row_in_order_in_bounded_row_groups(tmp_path: Path) -> None:
    w = ShardWriter(tmp_path, "en", "yo", shard_rows=7, prefix="train-x")
    w.ROW_GROUP = 3
    recs = [Record(f"r{i}", f"English {i}", f"Yorùbá {i}", "seed") for i in range(16)]
    for r in recs:
        w.write(r)
        assert len(w.buffer) < 3  # never more than a row group held
    paths = w.close()
    assert [p.name for p in paths] == [f"train-x-{i:05d}-of-00003.parquet" for i in range(3)]
    assert [pq.read_metadata(p).num_rows for p in paths] == [7, 7, 2]
    assert all(pq.ParquetFile(p).metadata.row_group(g).num_rows <= 3 for p in paths
               for g in range(pq.ParquetFile(p).num_row_groups))
    rows = [r for p in paths for r in pq.read_table(p).to_pylist()]
    assert rows == [r.to_row("en", "yo") for r in recs]
    assert not list(tmp_path.glob(".*"))  # no temporary names left


def test_an_empty_run_writes_one_empty_shard_with_the_schema(tmp_path: Path) -> None:
    [path] = ShardWriter(tmp_path, "en", "yo", shard_rows=5).close()
    assert pq.read_metadata(path).num_rows == 0 and "translation" in pq.read_schema(path).names


def test_shard_table_is_pyarrows_own_conversion_without_pandas(tmp_path: Path) -> None:
    """The columns are built from their bytes (lrl/io/writers.py ``_table``): the same table as
    ``Table.from_pylist``, and no pandas import (it cost 45 MiB resident per run), checked in a fresh process."""
    import subprocess
    import sys

    import pyarrow as pa

    from lrl.io.writers import _table, schema

    recs = [Record("a", "x\u2028y", "Ẹ kú àárọ̀ 😀", "seed", scores={"s": 0.5}, labels={"c": 1}),
            Record("b", "", "ọmọ", "mono"), Record("c", "", "", "template")]
    rows = [r.to_row("en", "yo") for r in recs]
    sc = schema("en", "yo")
    assert _table(rows, sc).equals(pa.Table.from_pylist(rows, schema=sc))
    assert _table([], sc).equals(pa.Table.from_pylist([], schema=sc))
    code = ("import sys; from lrl.io.writers import ShardWriter; from lrl.record import Record; "
            f"w = ShardWriter(__import__('pathlib').Path({str(tmp_path)!r}), 'en', 'yo', 10); "
            "w.write(Record('a', 'x', 'y', 'seed')); w.close(); print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
