"""Training text for ``lrl lid train``: limits, per-label corpora (prepared as py3langid prepares text)
and the report."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from lrl.errors import ConfigError, InputError

MAX_ORDER = 4
#: A label needs at least this many characters of distinct text (about 100 sentences); fewer gives a
#: model that guesses. Aim for 100,000+ (about 1,000 sentences) for >95% accuracy on sentences.
MIN_CHARS = 10_000
RECOMMENDED_CHARS = 100_000
FEATURES_PER_LABEL = 1000
CANDIDATES_PER_ORDER = 5000
ALPHA = 0.1
HOLDOUT = 10


@dataclass
class Corpus:
    """One label's text: distinct lines as py3langid's UTF-8 bytes, with where each came from."""

    label: str
    path: Path
    lines: list[bytes]
    chars: int


@dataclass
class TrainReport:
    labels: list[str]
    lines: dict[str, int]
    chars: dict[str, int]
    n_features: int = 0
    n_states: int = 0
    dropped_shared: int = 0
    #: labels taken from py3langid's built-in model
    builtin: list[str] = field(default_factory=list)
    #: label → (correct, total) on held-out lines; empty when holdout is off
    heldout: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: (true label, predicted label) → count of held-out errors
    confusions: dict[tuple[str, str], int] = field(default_factory=dict)
    heldout_per_s: float = 0.0
    holdout: int = HOLDOUT
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        sizes = (f"{lb} ({self.lines[lb]:,} lines, {self.chars[lb]:,} chars)" for lb in self.labels)
        out = [f"labels: {', '.join(sizes)}"]
        if self.builtin:
            out.append(f"from py3langid's built-in model: {', '.join(self.builtin)} (its feature space)")
        if self.dropped_shared:
            out.append(f"dropped {self.dropped_shared:,} lines found under more than one label")
        out.append(f"model: {self.n_features:,} features, {self.n_states:,} DFA states; "
                   f"trained in {self.seconds:.1f} s")
        if self.heldout:
            acc = ", ".join(f"{lb} {c / t:.1%} ({c}/{t})" for lb, (c, t) in self.heldout.items())
            out.append(f"held-out accuracy (every {self.holdout}th line, model trained on the rest): {acc}; "
                       f"{self.heldout_per_s:,.0f} lines/s")
            if self.confusions:
                top = sorted(self.confusions.items(), key=lambda kv: (-kv[1], kv[0]))[:6]
                out.append("  most frequent errors: " + ", ".join(f"{a}→{b} {n}" for (a, b), n in top))
        out.extend(f"warning: {w}" for w in self.warnings)
        return out





def encode(text: str) -> bytes:
    """Text as py3langid 0.4 sees it (``LanguageIdentifier._encode``): all-uppercase lowered, NFC, UTF-8."""
    if text.isupper():
        text = text.lower()
    return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")


def parse_spec(spec: str) -> tuple[str, Path]:
    """``LABEL=FILE`` → (label, path)."""
    label, sep, path = spec.partition("=")
    label = label.strip()
    if not sep or not label or not path:
        raise ConfigError(f"{spec!r}: expected LABEL=FILE, e.g. xx=my_language.txt en=english.txt")
    if any(c.isspace() for c in label):
        raise ConfigError(f"{spec!r}: the label {label!r} contains whitespace")
    return label, Path(path)


def read_corpus(label: str, path: Path) -> Corpus:
    """Distinct non-blank lines of a UTF-8 file (a BOM at the start of a line is dropped)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, None, "not found", f"give an existing file for label {label!r}") from None
    except IsADirectoryError:
        raise InputError(path, None, "is a directory", "give a text file, one sentence per line") from None
    seen: set[bytes] = set()
    lines: list[bytes] = []
    chars = 0
    for i, raw in enumerate(data.split(b"\n"), 1):
        try:
            text = raw.decode("utf8")
        except UnicodeDecodeError as exc:
            raise InputError(path, i, f"not valid UTF-8 (byte {exc.start + 1} of the line: "
                             f"{raw[exc.start:exc.start + 4]!r})",
                             "convert the file to UTF-8, e.g. iconv -f LATIN1 -t UTF-8") from None
        text = text.strip().lstrip("\ufeff").strip()
        if not text:
            continue
        b = encode(text)
        if b not in seen:
            seen.add(b)
            lines.append(b)
            chars += len(text)
    return Corpus(label, path, lines, chars)


def load_corpora(specs: list[tuple[str, Path]], min_chars: int = MIN_CHARS) -> tuple[list[Corpus], int]:
    """Read every file; drop lines that occur under more than one label; check there is enough text."""
    labels = [lb for lb, _ in specs]
    dupes = sorted({lb for lb in labels if labels.count(lb) > 1})
    if dupes:
        raise ConfigError(f"label(s) given twice: {', '.join(dupes)} — concatenate the files first")
    corpora = [read_corpus(lb, p) for lb, p in specs]
    owners: dict[bytes, int] = {}
    for c in corpora:
        for line in c.lines:
            owners[line] = owners.get(line, 0) + 1
    dropped = 0
    for c in corpora:
        keep = [line for line in c.lines if owners[line] == 1]
        dropped += len(c.lines) - len(keep)
        if len(keep) != len(c.lines):
            c.lines = keep
            c.chars = sum(len(line.decode("utf8")) for line in keep)
    for c in corpora:
        if c.chars < min_chars:
            raise InputError(c.path, None, f"label {c.label!r} has only {c.chars:,} characters of distinct "
                             f"text ({len(c.lines):,} lines)",
                             f"language ID needs at least {min_chars:,} characters (about "
                             f"{min_chars // 100:,} sentences) per label, and {RECOMMENDED_CHARS:,}+ for "
                             "reliable results")
    return corpora, dropped
