"""What presidio-analyzer's phone recognizer would find on the AfriSenti tweets: it is
`phonenumbers.PhoneNumberMatcher` per region (presidio's default regions are US GB DE FR IL IN CA BR; here
NG NE ET, at its default leniency VALID). Needs `pip install phonenumbers` (not an lrl dependency);
DESIGN.md compares it with lrl/filters/pii.py.

    python eval/bench/privacy_phonenumbers.py
"""

import time
from pathlib import Path

import phonenumbers
from phonenumbers import Leniency

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"

for lang in ("yo", "ha", "am"):
    lines = (DATA / lang / "mono" / "afrisenti_train.tsv").read_text(encoding="utf-8").splitlines()[1:]
    tweets = [ln.split("\t")[1] for ln in lines if ln.count("\t") >= 2]
    started = time.perf_counter()
    hits = [(region, m.raw_string) for text in tweets for region in ("NG", "NE", "ET")
            for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=Leniency.VALID)]
    print(lang, len(tweets), "tweets", round(time.perf_counter() - started, 2), "s", len(hits), "hits:",
          sorted({h[1] for h in hits}))
