"""languages/README.md, followed to the letter by a new contributor, gives a plugin that passes
`lrl lang check` and augments — with no edit to lrl/. The files come from the guide's own code blocks,
so the guide and the code cannot drift apart."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "languages" / "README.md"

# Written for this test (Swahili the guide's example language does not ship with lrl).
EXAMPLES = """en\tsw
The children go to school every morning together with their friends.\tWatoto wanakwenda shuleni kila asubuhi pamoja na marafiki zao.
My mother bought bananas and rice at the market yesterday evening.\tMama yangu alinunua ndizi na mchele sokoni jana jioni.
Heavy rain fell all night and the roads filled with water.\tMvua kubwa ilinyesha usiku mzima na barabara zikajaa maji.
The doctor told the patient to drink a lot of water and rest at home.\tDaktari alimwambia mgonjwa anywe maji mengi na apumzike nyumbani.
We plant maize and beans on the farm at the beginning of the rainy season.\tTunapanda mahindi na maharagwe shambani mwanzoni mwa msimu wa mvua.
The bus to town leaves at eight in the morning every day.\tBasi la kwenda mjini linaondoka saa mbili asubuhi kila siku.
The teacher asked the students to read that book before Friday.\tMwalimu aliwaomba wanafunzi wasome kitabu hicho kabla ya Ijumaa.
The price of sugar has risen a lot in the shops of our street this month.\tBei ya sukari imepanda sana katika maduka ya mtaa wetu mwezi huu.
My brother works in the big regional hospital.\tKaka yangu anafanya kazi katika hospitali kubwa ya mkoa.
Please close the door when you go out because the wind is strong today.\tTafadhali funga mlango unapotoka kwa sababu upepo ni mkali leo.
The village elders met under the tree to discuss water matters.\tWazee wa kijiji walikutana chini ya mti kujadili mambo ya maji.
I was very happy to see my friend after many years.\tNilifurahi sana kumwona rafiki yangu baada ya miaka mingi.
"""


def _blocks() -> list[str]:
    return re.findall(r"```(?:\w+)?\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)


def _block(starts: str) -> str:
    hits = [b for b in _blocks() if b.startswith(starts)]
    assert len(hits) == 1, f"the guide should have one code block starting {starts!r}"
    return hits[0]


def lrl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "lrl", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=600)


def test_guide_example_plugin_checks_and_augments(tmp_path: Path) -> None:
    new = lrl("lang", "new", "sw", "--name", "Swahili", "--script", "Latn", cwd=tmp_path)
    assert new.returncode == 0, new.stderr
    plugin = tmp_path / "languages" / "sw"

    # Freshly scaffolded, the check fails and says what to fix — it does not crash.
    first = lrl("lang", "check", "sw", cwd=tmp_path)
    assert first.returncode == 78 and "problem(s) to fix" in first.stderr and "Traceback" not in first.stderr

    (plugin / "language.toml").write_text(_block('[language]\ncode = "sw"'), encoding="utf-8")
    (plugin / "lexicon.tsv").write_text(_block("class\tsw"), encoding="utf-8")
    (plugin / "templates.tsv").write_text(_block("id\tsw"), encoding="utf-8")
    (plugin / "examples.tsv").write_text(EXAMPLES, encoding="utf-8")

    check = lrl("lang", "check", "sw", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "sw: OK" in check.stdout

    run = lrl("augment", "--lang", "sw", "-q", "--set", "templates.count=20", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    manifest = json.loads((tmp_path / "out" / "sw" / "latest" / "manifest.json").read_text())
    assert manifest["totals"]["kept"] > 0
    assert manifest["kept_by_origin"].get("template", 0) > 0
