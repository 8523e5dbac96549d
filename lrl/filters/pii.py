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
_TAIL = r"[^\s<>\"\u1361-\u1368]*[^\s<>\".,;:!?)\]'’”\u1361-\u1368]"
_TLD = (r"(?:com|org|net|edu|gov|info|biz|io|app|dev|ng|ne|et|gh|ke|za|uk|co\.uk|com\.ng|gov\.ng|edu\.ng"
        r"|org\.ng|com\.et|gov\.et|ly|gl|gd|be|me|tv|us|fm|news|online|site|xyz)")
_PATTERNS: dict[str, str] = {
    "email": r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b",
    # With a scheme (also a tweet's truncated "http://t.…", "https:/…", "http:"), www., a domain with a path, or a bare
    # domain under a known top-level domain. Not "e.g.", "U.S." or "left.It" (no known TLD, no path).
    "url": (rf"\b(?:https?|ftp):/{{0,2}}(?:{_TAIL}|[^\s]*)|\bwww\.{_TAIL}"
            rf"|(?<![@\w.-])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[a-z]{{2,6}}/{_TAIL}"
            rf"|(?<![@\w.-])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.{_TLD}(?![\w@-]|\.\w)"),
    "ip": (r"(?<![\w.+])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\w|\.\d)"
           r"|(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])"),
    "iban": r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b",
    # Runs of digits with single separators (space, dot, dash, parentheses), optionally after + or 00:
    # classified by _number() into card, phone, id or nothing (a date, a price, a score).
    "number": r"(?<![\w+.,/@])(?<!\d-)(?:\+\s?)?\(?\d(?:[\d]|[ .\-]\(?(?=\d)|\)[ .\-]?(?=\d))*\d\)?(?![\w@]|[.,/:]\d)",
    # Letters then digits, as passport and national ID numbers are written (A12345678, NIN-12345678901).
    "id": r"\b[A-Z]{1,3}-?\d{7,14}\b",
    # A handle: @ not after a word character (that is an e-mail address).
    "user": r"(?<![\w@])@[A-Za-z0-9_]{1,30}\b",
}
_RE = {k: re.compile(p) for k, p in _PATTERNS.items()}
#: The one definition of an e-mail address and a URL: the markup filter finds the same ones (what the privacy
#: filter left unmasked, with privacy off or in flag mode).
EMAIL, URL = _PATTERNS["email"], _PATTERNS["url"]
# Cheap tests first: most lines have no @, no digit run, no "://" and no dot before letters.
_NEEDS: dict[str, str | re.Pattern[str]] = {
    "email": "@", "user": "@", "url": re.compile(r"https?:|ftp:|www\.|\.[a-z]"), "ip": re.compile(r"\d\.\d|:"),
          "iban": re.compile(r"[A-Z]{2}\d\d"), "number": re.compile(r"\d\d"), "id": re.compile(r"[A-Z]-?\d{7}")}
_DATE = re.compile(r"\d{1,2}[.\-]\d{1,2}[.\-]\d{2,4}|\d{4}[.\-]\d{1,2}[.\-]\d{1,2}|\d{4} ?- ?\d{4}")
_THOUSANDS = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
_NIGER = re.compile(r"[2-9]\d(?: \d\d){3}")
_CARD = re.compile(r"\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,3})?")
#: Country code → digits of a full number with it (Nigeria, Niger, Ethiopia, Ghana, Kenya, Chad, Benin).
_E164_LENGTH = {"234": 13, "227": 11, "251": 12, "233": 12, "254": 12, "235": 11, "229": 11}
_PAREN = re.compile(r"\(\d{2,4}\) ?\d{3,4}[ .\-]?\d{3,4}")
_GROUPED = re.compile(r"\d{3}([.\-])\d{3}\1\d{4}")


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
    intl = run.startswith("+") or digits.startswith("00") and d >= 11
    contiguous = run.isdigit()
    if d < 8 or _DATE.fullmatch(body) or _THOUSANDS.fullmatch(body):
        return None
    if d == 8:  # Niger's numbers have no trunk prefix: only the written shape "96 12 34 56" (or +227)
        return "phone" if _NIGER.fullmatch(run) else None
    # Digits apart only by spaces are often several numbers ("2019 2019 2-1"): without a + or a trunk 0,
    # only a contiguous run or a written phone/card shape counts.
    # Issuer ranges (Amex 34/37, Visa 4, Mastercard 51-55 and 2221-2720, Discover/UnionPay 6, JCB 35):
    # not "2019 2019 2019 2019", which passes Luhn one time in ten.
    if (13 <= d <= 19 and luhn(digits) and not intl and re.match(r"3[4-7]|4|5[1-5]|2[2-7]|6", digits)
            and (contiguous or _CARD.fullmatch(run))):
        return "card"
    if run.count(".") == 1 and re.sub(r"[\d+]", "", run) == ".":  # a decimal
        return None
    if intl:  # E.164: at most 15 digits; the countries lrl's plugins serve have fixed lengths
        national = digits[2:] if digits.startswith("00") else digits
        want = next((n for cc, n in _E164_LENGTH.items() if national.startswith(cc)), None)
        return "phone" if (len(national) == want if want else 8 <= len(national) <= 15) else None
    # A trunk prefix: 0803 123 4567 (Nigeria, 11 digits), 0911 23 45 67 (Ethiopia, 10), 01-2345678. Ten
    # digits in one run from 0 but not 07/09 are a Nigerian bank account number (NUBAN) as often: an ID.
    if digits.startswith("0") and (d in (9, 11) or d == 10 and (digits[:2] in ("07", "09") or not contiguous)):
        return "phone"
    if contiguous and (digits[:3] in ("234", "251", "227") and 11 <= d <= 13
                       or d == 10 and re.match(r"[789][01]", digits) or d == 9 and digits[0] in "79"):
        return "phone"  # a country code without +, or the trunk 0 left off
    if _PAREN.fullmatch(run) or _GROUPED.fullmatch(run):  # (555) 123-4567, 555-123-4567
        return "phone"
    return "id" if contiguous and d >= 9 else None


def _brackets(run: str) -> tuple[int, int]:
    """Brackets at the ends of a run that belong to the text, not the number: "(0803 123 4567)",
    "(0803 123 4567", "0803 123 4567)" — but not the area code of "(555) 123-4567"."""
    if run.startswith("(") and run.endswith(")") and run.count("(") == run.count(")") == 1:
        return 1, 1
    parens = [c for c in run if c in "()"]
    lead = 1 if run.startswith("(") and parens[1:2] != [")"] else 0  # no ")" closes it
    trail = 1 if run.endswith(")") and parens[-2:-1] != ["("] else 0  # no "(" opens it
    return lead, trail


def _numbers(run: str) -> list[tuple[int, int, str]]:
    """The numbers in a run: the whole run, else its longest space-separated parts that are something
    ("2 08031234567", "2019 0803 123 4567"): the run pattern joins numbers written side by side."""
    # A bracket belongs to the number only when both are in it: "(0803 123 4567" is a phone after "(".
    lead, trail = _brackets(run)
    if lead or trail:
        return [(a + lead, b + lead, k) for a, b, k in _numbers(run[lead:len(run) - trail])]
    kind = _number(run)
    if kind is not None or " " not in run:
        return [(0, len(run), kind)] if kind else []
    cuts = [0] + [m.end() for m in re.finditer(" ", run)]
    ends = [m.start() for m in re.finditer(" ", run)] + [len(run)]
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < len(cuts):
        for j in range(len(ends) - 1, i - 1, -1):
            sub = run[cuts[i]:ends[j]]
            lead, trail = _brackets(sub)
            if (i, j) != (0, len(ends) - 1) and (k := _number(sub[lead:len(sub) - trail])):
                out.append((cuts[i] + lead, ends[j] - trail, k))
                i = j
                break
        i += 1
    return out


def find(text: str) -> list[tuple[int, int, str]]:
    """Non-overlapping ``(start, end, kind)`` spans of personal data in ``text``, in text order."""
    # Kinds in order; each one's spans (and lrl's placeholders) are blanked before the next kind looks, so
    # earlier kinds win (an e-mail address holds a domain and maybe digits; a URL may hold digits) and a
    # digit run cannot reach into an e-mail address next to it.
    work = PLACEHOLDER.sub(lambda m: "\0" * len(m.group()), text)
    taken: list[tuple[int, int, str]] = []
    for kind, rx in _RE.items():
        need = _NEEDS[kind]
        if (need not in work) if isinstance(need, str) else not need.search(work):
            continue
        spans: list[tuple[int, int, str]] = []
        for m in rx.finditer(work):
            span = m.group()
            if kind == "number":
                spans += [(m.start() + a, m.start() + b, k) for a, b, k in _numbers(span)]
                continue
            if kind == "ip" and ":" in span:
                try:
                    ipaddress.IPv6Address(span)
                except ValueError:
                    continue
                # Amharic text written in ASCII uses "::" for "።": an address needs hex groups, not colons
                if sum(1 for g in span.split(":") if g) < 3:
                    continue
            if kind == "iban" and not iban_ok(span):
                continue
            spans.append((m.start(), m.end(), kind))
        for a, b, _ in spans:
            work = work[:a] + "\0" * (b - a) + work[b:]
        taken += spans
    return sorted(taken)


def placeholders(text: str) -> list[str]:
    """The kinds of the placeholders in ``text``, in order (what a generator must carry over)."""
    return [_KIND_OF[m.group()] for m in PLACEHOLDER.finditer(text)]
