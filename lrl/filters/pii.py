"""Detection of personal data in text: compiled patterns plus checksums, no model (DESIGN.md says why).

:func:`find` returns non-overlapping spans ``(start, end, kind)`` for the kinds in :data:`KINDS`; the
privacy filter (lrl/filters/privacy.py) decides what to do with them. Written to leave ordinary text alone:
years, times (10:30), prices (₦5,000, $1.000.000), scores (2-1), dates (12/05/2023, 2023-05-12), decimals,
hashtags, and words of any script (handles and domains are ASCII; Yoruba, Hausa and Amharic words never
contain ``@``, ``://`` or ten digits).
"""

from __future__ import annotations

import ipaddress
import re

#: kind → placeholder. Placeholders are what masking writes; nothing in :func:`find` matches them.
PLACEHOLDERS: dict[str, str] = {"email": "<EMAIL>", "url": "<URL>", "phone": "<PHONE>", "user": "<USER>",
                                "id": "<ID>", "card": "<CARD>", "iban": "<IBAN>", "ip": "<IP>"}
KINDS = tuple(PLACEHOLDERS)
PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))
_KIND_OF = {p: k for k, p in PLACEHOLDERS.items()}

# A URL ends before a space and does not take the sentence's closing punctuation with it.
_TAIL = r"[^\s<>\"]*[^\s<>\".,;:!?)\]'’”]"
_TLD = (r"(?:com|org|net|edu|gov|info|biz|io|app|dev|ng|ne|et|gh|ke|za|uk|co\.uk|com\.ng|gov\.ng|edu\.ng"
        r"|org\.ng|com\.et|gov\.et|ly|gl|gd|be|me|tv|us|fm|news|online|site|xyz)")
_PATTERNS: dict[str, str] = {
    "email": r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b",
    # With a scheme (also a tweet's truncated "http://t.…"), www., a domain with a path, or a bare
    # domain under a known top-level domain. Not "e.g.", "U.S." or "left.It" (no known TLD, no path).
    "url": (rf"\b(?:https?|ftp)://(?:{_TAIL}|[^\s]*)|\bwww\.{_TAIL}"
            rf"|(?<![@\w.-])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[a-z]{{2,6}}/{_TAIL}"
            rf"|(?<![@\w.-])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.{_TLD}(?![\w@-]|\.\w)"),
    "ip": (r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w.]\w)"
           r"|(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])"),
    "iban": r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b",
    # Runs of digits with single separators (space, dot, dash, parentheses), optionally after + or 00:
    # classified by _number() into card, phone, id or nothing (a date, a price, a score).
    "number": r"(?<![\w+.,/-])(?:\+\s?)?\(?\d(?:[\d]|[ .\-]\(?(?=\d)|\)[ .\-]?(?=\d))*\d\)?(?![\w]|[.,/:]\d)",
    # Letters then digits, as passport and national ID numbers are written (A12345678, NIN-12345678901).
    "id": r"\b[A-Z]{1,3}-?\d{7,14}\b",
    # A handle: @ not after a word character (that is an e-mail address).
    "user": r"(?<![\w@.])@[A-Za-z0-9_]{1,30}\b",
}
_RE = {k: re.compile(p) for k, p in _PATTERNS.items()}
# Cheap tests first: most lines have no @, no digit run, no "://" and no dot before letters.
_NEEDS: dict[str, str | re.Pattern[str]] = {
    "email": "@", "user": "@", "url": re.compile(r"://|www\.|\.[a-z]"), "ip": re.compile(r"\d\.\d|:"),
          "iban": re.compile(r"[A-Z]{2}\d\d"), "number": re.compile(r"\d\d"), "id": re.compile(r"[A-Z]-?\d{7}")}
_DATE = re.compile(r"\d{1,2}[.\-]\d{1,2}[.\-]\d{2,4}|\d{4}[.\-]\d{1,2}[.\-]\d{1,2}|\d{4} ?- ?\d{4}")
_THOUSANDS = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
_NIGER = re.compile(r"[2-9]\d(?: \d\d){3}")
_CALLING = ("234", "251", "227", "233", "254", "255", "256", "27", "44", "1", "33", "49", "971")


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_ok(text: str) -> bool:
    s = text.replace(" ", "")
    if not 15 <= len(s) <= 34:
        return False
    moved = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _number(run: str) -> str | None:
    """What a run of digits is: "card" (13–19 digits, Luhn), "phone", "id" (a long run), or None."""
    digits = re.sub(r"\D", "", run)
    d = len(digits)
    body = run.strip("()")
    intl = run.startswith("+") or digits.startswith("00") and d >= 10
    if d < 8 or _DATE.fullmatch(body) or _THOUSANDS.fullmatch(body):
        return None
    if d == 8:  # Niger's numbers have no trunk prefix: only the written shape "96 12 34 56" (or +227)
        return "phone" if _NIGER.fullmatch(run) else None
    if 13 <= d <= 19 and luhn(digits) and not intl and not digits.startswith("0"):
        return "card"
    seps = re.sub(r"[\d+]", "", run)
    if seps == "." and run.count(".") == 1:  # a decimal
        return None
    if intl and d <= 15:
        return "phone"
    if digits.startswith("0") and 9 <= d <= 11:  # a trunk prefix: 0803 123 4567, 0911 23 45 67, 01-2345678
        return "phone"
    if any(digits.startswith(c) for c in ("234", "251", "227")) and 11 <= d <= 13:
        return "phone"
    if d == 10 and re.match(r"[789][01]", digits) or d == 9 and digits[0] in "79":  # trunk 0 left off
        return "phone"
    if seps and 9 <= d <= 15:  # written in groups: (555) 123-4567
        return "phone"
    return "id" if d >= 9 else None


def find(text: str) -> list[tuple[int, int, str]]:
    """Non-overlapping ``(start, end, kind)`` spans of personal data in ``text``, in text order."""
    found: list[tuple[int, int, int, str]] = []
    for rank, (kind, rx) in enumerate(_RE.items()):
        need = _NEEDS[kind]
        if (need not in text) if isinstance(need, str) else not need.search(text):
            continue
        for m in rx.finditer(text):
            span = m.group()
            if kind == "number":
                got = _number(span)
                if got is None:
                    continue
                found.append((m.start(), m.end(), rank, got))
                continue
            if kind == "ip" and ":" in span:
                try:
                    ipaddress.IPv6Address(span)
                except ValueError:
                    continue
                if span.count(":") < 2 or sum(1 for g in span.split(":") if g) < 3 and "::" not in span:
                    continue
            if kind == "iban" and not iban_ok(span):
                continue
            found.append((m.start(), m.end(), rank, kind))
    # Earlier kinds win overlaps (an e-mail address holds a domain; a URL may hold digits).
    found.sort(key=lambda x: (x[2], x[0]))
    taken: list[tuple[int, int, str]] = []
    for start, end, _, kind in found:
        if all(end <= s or start >= e for s, e, _ in taken) and not _in_placeholder(text, start, end):
            taken.append((start, end, kind))
    return sorted(taken)


def _in_placeholder(text: str, start: int, end: int) -> bool:
    return any(m.start() < end and start < m.end() for m in PLACEHOLDER.finditer(text))


def placeholders(text: str) -> list[str]:
    """The kinds of the placeholders in ``text``, in order (what a generator must carry over)."""
    return [_KIND_OF[m.group()] for m in PLACEHOLDER.finditer(text)]
