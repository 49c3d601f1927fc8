import csv
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tsunagu.linkage.rules import HOLD_REASONS

ROOT = Path(__file__).resolve().parents[3]
HEADER = "source,record_id,name,kana,dob,sex,address,phone"


def _generate(count: int, seed: int) -> list[list[str]]:
    spec = importlib.util.spec_from_file_location(
        "linkage_generate", ROOT / "bench" / "linkage" / "generate.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.generate(count, seed=seed)[0]


def run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "-m", "tsunagu.linkage", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


TAKAHASHI = [
    "kaigo,T1,髙橋 太郎,タカハシ タロウ,1950-04-01,男,岐阜市今沢町1-2-3,058-265-4141",
    "seiho,T2,高橋　太郎,たかはしたろう,昭和25年4月1日,1,岐阜市今沢町一丁目二番三号,",
    "kaigo,K1,高橋 健太,タカハシ ケンタ,2010-06-15,男,岐阜市今沢町1-2-3,058-265-4141",
    "hoken,K3,髙橋 健斗,ﾀｶﾊｼ ｹﾝﾄ,H22.6.15,1,岐阜市今沢町1丁目2番地3,0582654141",
]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Two agency files: UTF-8 (generated population) and CP932 (with 髙橋 and ﾀｶﾊｼ)."""
    directory = tmp_path_factory.mktemp("cli")
    rows = _generate(600, seed=11)
    utf8 = directory / "agencies.csv"
    with utf8.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER.split(","))
        writer.writerows(rows)
    cp932 = write(directory / "sjis.csv", [HEADER, *TAKAHASHI], encoding="cp932")
    return utf8, cp932, len(rows)


@pytest.fixture(scope="module")
def linked(inputs, tmp_path_factory):
    utf8, cp932, count = inputs
    output = tmp_path_factory.mktemp("out") / "clusters.csv"
    review = output.with_name("review.csv")
    completed = run(
        "link", str(utf8), str(cp932), "--output", str(output), "--with-probability",
        "--review-output", str(review),
    )  # fmt: skip
    return completed, output, review, count


def test_link_writes_one_cluster_per_record(linked):
    completed, output, _, count = linked
    assert completed.returncode == 0, completed.stderr
    with output.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["source", "record_id", "cluster_id", "match_probability"]
    assert len(rows) == count + len(TAKAHASHI)
    clusters = {(r["source"], r["record_id"]): r["cluster_id"] for r in rows}
    assert clusters["kaigo", "T1"] == clusters["seiho", "T2"]
    assert clusters["kaigo", "K1"] != clusters["hoken", "K3"]  # twins
    assert clusters["kaigo", "K1"] != clusters["kaigo", "T1"]  # father and son
    probability = {(r["source"], r["record_id"]): r["match_probability"] for r in rows}
    assert float(probability["kaigo", "T1"]) >= 0.99


def test_cp932_input_is_detected_with_a_notice(linked):
    completed, *_ = linked
    assert (
        "sjis.csv: UTF-8 ではないため Shift_JIS (CP932) として読み込みました。" in completed.stderr
    )


def test_summary_line_and_no_progress_without_a_terminal(linked):
    completed, _, review, count = linked
    lines = completed.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{count + len(TAKAHASHI)}件 → ")
    assert "クラスタ" in lines[0] and "確認待ちのペア" in lines[0] and "秒" in lines[0]
    assert "学習中" not in completed.stderr
    with review.open(encoding="utf-8") as f:
        reader = csv.reader(f)
        assert next(reader) == [
            "source_l", "record_id_l", "source_r", "record_id_r", "match_probability",
            "reason", "reason_label",
        ]  # fmt: skip
        rows = list(reader)
    assert rows
    for row in rows:
        assert (row[5], row[6]) == ("", "") or HOLD_REASONS[row[5]] == row[6]


def test_strict_household_holds_a_record_without_a_birth_date(inputs, tmp_path):
    """Without the option the undated record of 高橋 太郎 at his address joins him; with it,
    it waits for review with the reason."""
    utf8, cp932, _ = inputs
    undated = write(
        tmp_path / "undated.csv",
        [HEADER, "shakyo,U1,高橋太郎,たかはし たろう,,男,岐阜市今沢町1-2-3,058-265-4141"],
    )
    results = {}
    for strict in (False, True):
        output, review = tmp_path / f"c{strict}.csv", tmp_path / f"r{strict}.csv"
        extra = ["--strict-household"] if strict else []
        completed = run(
            "link", str(utf8), str(cp932), str(undated), "--output", str(output),
            "--review-output", str(review), *extra,
        )  # fmt: skip
        assert completed.returncode == 0, completed.stderr
        with output.open(encoding="utf-8") as f:
            clusters = {(r["source"], r["record_id"]): r["cluster_id"] for r in csv.DictReader(f)}
        with review.open(encoding="utf-8") as f:
            reasons = {
                r["reason"]
                for r in csv.DictReader(f)
                if "U1" in (r["record_id_l"], r["record_id_r"])
            }
        results[strict] = (clusters["kaigo", "T1"] == clusters["shakyo", "U1"], reasons)
    assert results[False][0] is True
    assert results[True] == (False, {"same_household_no_dob"})


def test_output_without_probability_has_three_columns(tmp_path):
    source = write(tmp_path / "in.csv", [HEADER, *TAKAHASHI])
    output = tmp_path / "out.csv"
    completed = run("link", str(source), "--output", str(output))
    assert completed.returncode == 0, completed.stderr
    with output.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["source", "record_id", "cluster_id"]
    assert len(rows) == 1 + len(TAKAHASHI)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ["source,record_id,name,dob,sex,address,phone", "a,1,山田,,,,"],
            "列「kana」がありません",
        ),
        ([HEADER, "a,1,山田,,,,,", ",2,山田,,,,,"], "3行目: 「source」が空です。"),
        ([HEADER, "a,1,山田,,,,,", "a,,山田,,,,,"], "3行目: 「record_id」が空です。"),
        ([HEADER, "a,1,山田,,,,,", "a,1,田中,,,,,"], "3行目: source「a」のrecord_id「1」は"),
    ],
)
def test_invalid_input_exits_2_with_a_japanese_message(tmp_path, lines, message):
    source = write(tmp_path / "bad.csv", lines)
    output = tmp_path / "out.csv"
    completed = run("link", str(source), "--output", str(output))
    assert completed.returncode == 2
    assert completed.stderr.startswith("エラー: ")
    assert message in completed.stderr
    assert not output.exists()


def test_missing_file_exits_2(tmp_path):
    completed = run("link", str(tmp_path / "none.csv"), "--output", str(tmp_path / "o.csv"))
    assert completed.returncode == 2
    assert "ファイルがありません" in completed.stderr


def test_undecodable_file_exits_2(tmp_path):
    source = tmp_path / "binary.csv"
    source.write_bytes(HEADER.encode() + b"\n\x81\x7f\xff,1,,,,,,\n")
    completed = run("link", str(source), "--output", str(tmp_path / "o.csv"))
    assert completed.returncode == 2
    assert "文字コードを判別できません" in completed.stderr


def test_help_is_in_japanese():
    completed = run("link", "--help")
    assert completed.returncode == 0
    assert "名寄せ" in completed.stdout
