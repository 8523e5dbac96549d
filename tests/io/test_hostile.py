"""Issue 13: each failure an adversarial user found, as a regression test named by the failure.

Runs go through ``lrl.cli.main`` in this process (the same code path as the ``lrl`` command) and are
checked for the exit code, one line on stderr, no traceback, and what landed in the output.
"""

from __future__ import annotations

import bz2
import glob
import gzip
import json
import lzma
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from lrl.cli import main
from lrl.config import CHOICES, DEFAULTS, RANGES, resolve
from lrl.errors import EXIT_CONFIG, EXIT_DATA, ConfigError, InputError
from lrl.filters.invisible import policy
from lrl.io.readers import InputStats, ReadOptions, read
from lrl.languages.check import check_plugin
from lrl.languages.plugin import load_plugin
from tests.conftest import TINY_EXAMPLES, TINY_MANIFEST, write_plugin

QUICK = ["--set", "bt.enabled=false", "--set", "templates.count=0", "-q"]


@pytest.fixture
def plugin_dir(tmp_path: Path) -> Path:
    return write_plugin(tmp_path / "languages")


def augment(plugin_dir: Path, out: Path | str, *args: str) -> int:
    return main(["--languages-dir", str(plugin_dir.parent), "augment", "--lang", "yo", "--out", str(out),
                 *QUICK, *args])


def one_line(capsys: pytest.CaptureFixture[str], *needles: str) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert "Traceback" not in err and len(lines) == 1 and lines[0].startswith("lrl: error: "), err
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


def kept_and_rejected(out: Path) -> tuple[list[dict], list[dict]]:
    run = out / "yo" / "latest"
    kept = [r for f in sorted(glob.glob(str(run / "data" / "*.parquet"))) for r in pq.read_table(f).to_pylist()]
    rejected = [json.loads(line) for line in (run / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    return kept, rejected


# -- tracebacks -----------------------------------------------------------------------------------------
def _unreadable(tmp_path: Path) -> Path:
    """A file this process cannot read: chmod 000, or (as root, who reads anything) a write-only sysfs file."""
    if os.geteuid() != 0:
        p = tmp_path / "secret.txt"
        p.write_text("Ọjà\n", encoding="utf-8")
        p.chmod(0)
        return p
    # Write-only attributes: sysfs refuses to open them for reading, even for root.
    for candidate in glob.glob("/sys/bus/pci/rescan") + glob.glob("/sys/class/*/hot_*") + \
            glob.glob("/sys/devices/pci*/*/rescan")[:1]:
        link = tmp_path / "secret.txt"
        link.symlink_to(candidate)
        try:
            open(link, "rb").close()
        except PermissionError:
            return link
        link.unlink()
    pytest.skip("no file this (root) process cannot read")


def test_unreadable_input_is_one_line_not_permission_error(plugin_dir: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    secret = _unreadable(tmp_path)
    assert augment(plugin_dir, tmp_path / "out", "--mono", str(secret)) == EXIT_DATA
    one_line(capsys, str(secret), "permission denied")
    assert not list((tmp_path / "out" / "yo").glob("2*")), "no run folder for a run that could not start"


def test_out_naming_a_file_is_one_line_not_not_a_directory_error(plugin_dir: Path, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "out.txt"
    f.write_text("x")
    assert augment(plugin_dir, f) == EXIT_CONFIG
    one_line(capsys, str(f), "is a file, not a folder")


def test_out_not_writable_is_one_line(plugin_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if os.geteuid() == 0:
        out = Path("/sys/lrl-test-out")  # root may write anywhere but here (EPERM)
    else:
        out = tmp_path / "ro"
        out.mkdir()
        out.chmod(0o555)
    assert augment(plugin_dir, out) == EXIT_CONFIG
    one_line(capsys, str(out), "cannot create the output folder")


# -- hang -----------------------------------------------------------------------------------------------
def test_dangling_symlink_out_lang_is_one_line_not_a_hang(plugin_dir: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "yo").symlink_to(tmp_path / "gone")
    assert augment(plugin_dir, out) == EXIT_CONFIG
    one_line(capsys, "dangling symlink", str(tmp_path / "gone"))
    dangling_root = tmp_path / "root-link"
    dangling_root.symlink_to(tmp_path / "nowhere")
    assert augment(plugin_dir, dangling_root) == EXIT_CONFIG
    one_line(capsys, "dangling symlink")


# -- wrong output ---------------------------------------------------------------------------------------
def test_bare_cr_lines_are_separate_rows_with_their_line_numbers(tmp_path: Path) -> None:
    p = tmp_path / "mono.txt"
    sentences = [f"Ọmọ {i} lọ sí ọjà." for i in range(12)]
    endings = ["\r", "\n", "\r\n"]
    p.write_bytes("".join(s + endings[i % 3] for i, s in enumerate(sentences)).encode())
    recs = list(read(str(p), ReadOptions(), False, InputStats()))
    assert [r.tgt for r in recs] == sentences
    assert [r.provenance["line"] for r in recs] == list(range(1, 13))
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"one\rtwo\r\xff three\rfour\n")
    with pytest.raises(InputError, match=r"bad.txt:3: invalid UTF-8"):
        list(read(str(bad), ReadOptions(), False, InputStats()))


HIDDEN = ["\u2066", "\u2067", "\u2068", "\u2069", "\u061c", "\u180e", "\u034f", "\u2061", "\u2063", "\u3164",
          "\ufe0f", "\U000e0100", "\ufff9", "\ufffb", "\U000e0041", "\U000e007f", "\u202e", "\u200b", "\ufeff",
          "\u115f", "\uffa0", "\u180b", "\ufdd0", "\uffff"]


def test_invisible_characters_never_reach_kept_rows(plugin_dir: Path, tmp_path: Path) -> None:
    lines = [f"Àwọn ọmọ{ch} ń lọ sí ilé ìwé ní àárọ̀ {i}" for i, ch in enumerate(HIDDEN)]
    mono = tmp_path / "mono.txt"
    mono.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert augment(plugin_dir, tmp_path / "out", "--mono", str(mono), "--set", "filters.langid.enabled=false") == 0
    kept, rejected = kept_and_rejected(tmp_path / "out")
    assert len(kept) + len(rejected) == len(lines)
    assert [r["tgt"] for r in kept] == [f"Àwọn ọmọ ń lọ sí ilé ìwé ní àárọ̀ {i}" for i in range(len(HIDDEN))]


# -- JSONL ----------------------------------------------------------------------------------------------
def test_jsonl_objects_and_numbers_are_bad_rows_not_python_reprs(tmp_path: Path) -> None:
    p = tmp_path / "mono.jsonl"
    p.write_text('{"text": "Ọjà ni mo lọ."}\n{"text": {"nested": "x"}}\n{"text": 5}\n{"text": ["a"]}\n'
                 '{"text": null}\n{"text": "\\ud800"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"mono.jsonl:2: 'text' is an object, expected a string"):
        list(read(str(p), ReadOptions(), False, InputStats()))
    st = InputStats()
    recs = list(read(str(p), ReadOptions(bad_rows="skip"), False, st))
    assert recs[0].tgt == "Ọjà ni mo lọ." and recs[0].pre_rejected is None
    assert [r.pre_rejected[1].split(",")[0] for r in recs[1:] if r.pre_rejected] == [
        "bad-row: 'text' is an object", "bad-row: 'text' is a number", "bad-row: 'text' is a list",
        "bad-row: 'text' is null", "bad-row: 'text' holds a lone surrogate escape (\\ud800-\\udfff)"]
    assert st.bad_rows == 5 and st.blank_lines == 0


def test_jsonl_line_with_another_key_is_a_bad_row_not_a_lost_blank(plugin_dir: Path, tmp_path: Path) -> None:
    p = tmp_path / "mono.jsonl"
    p.write_text('{"text": "Àwọn ọmọdé ń lọ sí ilé ìwé."}\n{"sentence": "Ìyá mi ra iṣu."}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"mono.jsonl:2: no key 'text' on this line"):
        list(read(str(p), ReadOptions(), False, InputStats()))
    out = tmp_path / "out"
    assert augment(plugin_dir, out, "--mono", str(p), "--set", "inputs.bad_rows=skip") == 0
    kept, rejected = kept_and_rejected(out)
    assert len(kept) + len(rejected) == 2
    assert any(r["stage"] == "read" and "no key 'text'" in r["reason"] and "Ìyá mi ra iṣu" in r["tgt"]
               for r in rejected)


# -- compressed input -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name,compress", [("mono.txt.gz", gzip.compress), ("mono.txt.bz2", bz2.compress),
                                           ("mono.txt.xz", lzma.compress), ("renamed.txt", gzip.compress),
                                           ("pairs.tsv.gz", gzip.compress)])
def test_compressed_input_is_decompressed_by_extension_and_magic(tmp_path: Path, name: str, compress) -> None:
    p = tmp_path / name
    parallel = ".tsv" in name
    text = "en\tyo\nGood morning to you all.\tẸ káàárọ̀ gbogbo yín.\r\n" if parallel else "Ọjà\rIlé\r\nỌmọ\n"
    p.write_bytes(compress(text.encode()))
    recs = list(read(str(p), ReadOptions(lang_names=("yo",)), parallel, InputStats()))
    assert [r.tgt for r in recs] == (["Ẹ káàárọ̀ gbogbo yín."] if parallel else ["Ọjà", "Ilé", "Ọmọ"])


def test_truncated_or_zstd_compressed_input_is_one_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "mono.txt.gz"
    whole = gzip.compress("".join(f"Ọjà {i} ni mo lọ.\n" for i in range(5000)).encode())
    p.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError, match=r"mono.txt.gz: cannot read the \(compressed\) file"):
        list(read(str(p), ReadOptions(), False, InputStats()))
    z = tmp_path / "mono.txt.zst"
    z.write_bytes(b"\x28\xb5\x2f\xfd" + b"\x00" * 16)
    try:
        import zstandard  # noqa: F401
    except ImportError:
        with pytest.raises(InputError, match=r"zstd-compressed.*pip install zstandard"):
            list(read(str(z), ReadOptions(), False, InputStats()))


# -- security -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["../../../../etc/passwd", "/etc/hostname", "symlink"])
def test_plugin_files_outside_the_plugin_folder_are_refused(tmp_path: Path, where: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("Secret line of the host machine.\n", encoding="utf-8")
    path = write_plugin(tmp_path / "languages")
    if where == "symlink":
        (path / "mono.txt").symlink_to(outside)
        manifest = TINY_MANIFEST
    else:
        manifest = TINY_MANIFEST + f'\n[files]\nmono = "{where}"\n'
    (path / "language.toml").write_text(manifest, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'files.mono' = .* is outside the plugin folder"):
        load_plugin(path)
    assert main(["--languages-dir", str(path.parent), "lang", "check", "yo"]) == EXIT_CONFIG
    one_line(capsys, "outside the plugin folder")
    assert augment(path, tmp_path / "out") == EXIT_CONFIG
    one_line(capsys, "outside the plugin folder")
    assert not (tmp_path / "out" / "yo" / "latest").exists()


def test_plugin_langid_model_and_rules_symlinked_out_are_refused(tmp_path: Path) -> None:
    path = write_plugin(tmp_path / "languages")
    (tmp_path / "evil.py").write_text("raise SystemExit('ran code from outside')\n")
    (path / "rules.py").symlink_to(tmp_path / "evil.py")
    (path / "language.toml").write_text(TINY_MANIFEST.replace('script = "Latn"', 'script = "Latn"\nrules = true'),
                                        encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'language.rules' = 'rules.py' is outside the plugin folder"):
        load_plugin(path)
    (path / "rules.py").unlink()
    (path / "language.toml").write_text(TINY_MANIFEST.replace('label = "yo"', 'label = "yo"\nmodel = "../m"'),
                                        encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'langid.model' = '../m' is outside"):
        load_plugin(path)


# -- silent misconfiguration ----------------------------------------------------------------------------
@pytest.mark.parametrize("setting,needle", [
    ("inputs.bad_rows=skp", "allowed: error, skip"),
    ("inputs.tsv_quoting=whatever", "allowed: csv, none"),
    ("bt.kind=gpt", "allowed: auto, marian, nllb, m2m100, ibm1"),
    ("bt.score=bleu", "allowed: roundtrip, forced, none"),
    ("bt.compute_type=int4", "allowed: default, auto, int8"),
    ("paraphrase.backend=vllm", "allowed: transformers, ctranslate2"),
    ('paraphrase.origins=["seed","web"]', "'web' is not allowed"),
    ("filters.langid.tgt_min_prob=1.5", "between 0.0 and 1.0"),
    ("templates.count=-1", "must be >= 0"),
    ("seed=-3", "between 0 and 4294967295"),
    ("filters.script.min_share=nan", "nan is not a number"),
])
def test_setting_outside_its_choices_or_range_is_an_error_naming_them(plugin_dir: Path, tmp_path: Path, setting: str,
                                                                      needle: str,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert augment(plugin_dir, tmp_path / "out", "--set", setting) == EXIT_CONFIG
    one_line(capsys, "command line", setting.split("=")[0], needle)
    with pytest.raises(ConfigError, match="plugin.toml \\[defaults\\]"):
        key, value = setting.split("=", 1)
        from lrl.config import dotted_to_nested, parse_value
        resolve(dotted_to_nested({key: parse_value(value)}), "plugin.toml", None, {})


def test_every_choice_and_range_names_a_real_setting_and_its_default_passes() -> None:
    from lrl.config import check_value

    for key in [*CHOICES, *RANGES]:
        node = DEFAULTS
        for part in key.split("."):
            assert isinstance(node, dict) and part in node, f"{key} is not a setting in DEFAULTS"
            node = node[part]
        check_value(key, node, "defaults")


def test_tone_check_choice_in_the_plugin_names_the_allowed_values(tmp_path: Path) -> None:
    path = write_plugin(tmp_path / "languages", TINY_MANIFEST.replace('tone_check = "flag"', 'tone_check = "maybe"'))
    with pytest.raises(ConfigError,
                       match="'orthography.tone_check' = 'maybe' is not allowed — allowed: off, flag, reject"):
        load_plugin(path)


def _problems(path: Path) -> str:
    return "\n".join(check_plugin(load_plugin(path), render_samples=20).problems)


def test_lang_check_refuses_bad_codes(tmp_path: Path) -> None:
    path = write_plugin(tmp_path / "languages", TINY_MANIFEST.replace('iso639_3 = "yor"', 'iso639_3 = ""')
                        + '\n[codes]\nnllb = "yoruba"\n')
    problems = _problems(path)
    assert "language.iso639_3 = '' is not an ISO 639-3 code" in problems
    assert "codes.nllb = 'yoruba' is not an NLLB-200 code" in problems
    (path / "language.toml").write_text(TINY_MANIFEST + '\n[codes]\nnllb = "yor_Ethi"\n', encoding="utf-8")
    assert "names script Ethi, but language.script is Latn" in _problems(path)


def test_lang_check_refuses_short_examples_and_english_in_the_wrong_place(tmp_path: Path) -> None:
    examples = (TINY_EXAMPLES + "Good morning\tẸ káàárọ̀\n"
                "The market is very busy today because of the festival.\tThe market is very busy today because "
                "of the festival.\n")
    path = write_plugin(tmp_path / "languages", examples=examples)
    (path / "mono.txt").write_text("Àwọn ọmọdé ń lọ sí ilé ìwé ní àárọ̀ kùtù pẹ̀lú àwọn ọ̀rẹ́ wọn.\n"
                                   "This line is plainly written in the English language.\n", encoding="utf-8")
    problems = _problems(path)
    assert "examples.tsv:4: the en side 'Good morning' is too short" in problems
    assert "examples.tsv:4: the yo side 'Ẹ káàárọ̀' is too short" in problems
    assert "examples.tsv:5: the yo column is English" in problems
    assert "mono.txt:2: this line is English, not Yoruba" in problems
    assert "mono.txt:1" not in problems


def test_shipped_plugins_pass_the_new_checks() -> None:
    repo = Path(__file__).resolve().parents[2]
    for code in ("yo", "ha", "am"):
        assert check_plugin(load_plugin(repo / "languages" / code), render_samples=20).problems == []


# -- exit codes -----------------------------------------------------------------------------------------
def test_user_errors_do_not_exit_2_like_a_usage_error(plugin_dir: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert augment(plugin_dir, tmp_path / "out", "--mono", str(tmp_path / "missing.txt")) == EXIT_DATA
    one_line(capsys, "missing.txt: file not found")
    assert augment(plugin_dir, tmp_path / "out", "--set", "nope=1") == EXIT_CONFIG
    one_line(capsys, "unknown setting 'nope'")
    with pytest.raises(SystemExit) as exc:
        main(["augment"])  # argparse: --lang is required
    assert exc.value.code == 2
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["--help"])
    helped = capsys.readouterr().out
    assert "exit codes:" in helped and " 65  bad input data" in helped and " 78  bad configuration" in helped


def test_a_bug_exits_1_with_please_report_and_no_traceback(plugin_dir: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # A real bug in a plugin-independent place: rules.py is the plugin's, so break lrl's own code instead.
    import lrl.pipeline

    def broken(*a: object, **k: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(lrl.pipeline, "build_steps", broken)
    monkeypatch.delenv("LRL_DEBUG", raising=False)
    assert augment(plugin_dir, tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "please report" in err and "ZeroDivisionError" in err
    assert main(["--debug", "--languages-dir", str(plugin_dir.parent), "augment", "--lang", "yo", "--out",
                 str(tmp_path / "out"), *QUICK]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_utf16_input_names_the_encoding(tmp_path: Path) -> None:
    p = tmp_path / "mono.txt"
    p.write_bytes("Ọjà ni mo lọ.\n".encode("utf-16"))
    with pytest.raises(InputError, match="UTF-16.*iconv -f UTF-16"):
        list(read(str(p), ReadOptions(bad_rows="skip"), False, InputStats()))


def test_policy_removes_every_character_the_issue_listed() -> None:
    pol = policy()
    assert all(pol.clean(f"a{ch}b") == "ab" for ch in HIDDEN)
    assert policy(keep_joiners=True).clean("a\u200db\u200cc\u2066") == "a\u200db\u200cc"
