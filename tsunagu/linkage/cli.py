"""Command line for batch linkage (名寄せ), usable without the web application.

::

    python -m tsunagu.linkage link INPUT.csv [INPUT2.csv …] --output clusters.csv

Input files have a header row with the columns
``source,record_id,name,kana,dob,sex,address,phone`` (extra columns are
ignored; every value may be empty except ``source`` and ``record_id``) and are
read as UTF-8, or as CP932 (Shift_JIS) when they are not valid UTF-8. The
output has the columns ``source,record_id,cluster_id`` and, with
``--with-probability``, ``match_probability``. Django settings are not needed.

``--backend spark`` scores the pairs on Apache Spark (the ``spark`` extra and Java):
``--spark-master`` (default ``local[*]``), ``--spark-conf KEY=VALUE`` (repeatable),
``--spark-checkpoint-dir`` and ``--spark-staging-dir`` go to :mod:`tsunagu.linkage.spark`.

Exit status: 0 on success, 2 for invalid input (with a Japanese message on
standard error naming the file and line).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from pathlib import Path
from typing import TextIO

from tsunagu.linkage.batch import (
    COLUMNS,
    DEFAULT_REVIEW_BAND,
    DEFAULT_THRESHOLD,
    REQUIRED,
    LinkageInputError,
    link,
)
from tsunagu.linkage.engines import ENGINES
from tsunagu.linkage.rules import HOLD_REASONS

EXIT_INPUT_ERROR = 2

STAGE_LABELS = {
    "reading": "読み込み",
    "normalising": "正規化",
    "training": "学習",
    "predicting": "照合",
    "clustering": "クラスタリング",
}


class InputError(Exception):
    """Invalid input file; the message is Japanese text for the user."""


class Progress:
    """Stage progress on standard error, only when it is a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.started = time.perf_counter()

    def __call__(self, stage: str) -> None:
        if not self.enabled:
            return
        number = list(STAGE_LABELS).index(stage) + 1
        elapsed = time.perf_counter() - self.started
        label = STAGE_LABELS[stage]
        self.stream.write(f"\r\x1b[K[{number}/{len(STAGE_LABELS)}] {label}中… ({elapsed:.1f}秒)")
        self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def decode(path: Path, data: bytes, warn: TextIO) -> str:
    """Decode a file as UTF-8 (with or without BOM), else as CP932 with a notice."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp932")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{path}: 文字コードを判別できません"
            "（UTF-8 または Shift_JIS/CP932 で保存してください）。"
        ) from error
    warn.write(f"{path}: UTF-8 ではないため Shift_JIS (CP932) として読み込みました。\n")
    return text


def read_inputs(paths: list[Path], warn: TextIO) -> dict[str, list[str]]:
    """Read and check every input file into one set of columns."""
    columns: dict[str, list[str]] = {c: [] for c in COLUMNS}
    seen: dict[tuple[str, str], str] = {}
    for path in paths:
        try:
            data = path.read_bytes()
        except FileNotFoundError as error:
            raise InputError(f"{path}: ファイルがありません。") from error
        except OSError as error:
            raise InputError(f"{path}: ファイルを読み込めません（{error.strerror}）。") from error
        reader = csv.reader(io.StringIO(decode(path, data, warn), newline=""))
        header = [name.strip().lower() for name in next(reader, [])]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise InputError(
                f"{path}: 列「{'」「'.join(missing)}」がありません"
                f"（1行目の見出しに {','.join(COLUMNS)} が必要です）。"
            )
        positions = [header.index(c) for c in COLUMNS]
        targets = [columns[c] for c in COLUMNS]
        width = max(positions) + 1
        for row in reader:
            line = reader.line_num
            if not any(value.strip() for value in row):
                continue
            if len(row) < width:
                row = row + [""] * (width - len(row))
            values = [row[p].strip() for p in positions]
            for name in REQUIRED:
                if not values[COLUMNS.index(name)]:
                    raise InputError(f"{path} {line}行目: 「{name}」が空です。")
            key = (values[0], values[1])
            if key in seen:
                raise InputError(
                    f"{path} {line}行目: source「{key[0]}」のrecord_id「{key[1]}」は"
                    f"{seen[key]}と重複しています。"
                )
            seen[key] = f"{path} {line}行目"
            for target, value in zip(targets, values, strict=True):
                target.append(value)
    return columns


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tsunagu.linkage",
        description="名寄せ（個人レコードの突合）をコマンドラインで行います。",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    link_parser = commands.add_parser(
        "link",
        help="CSVファイルの個人レコードを名寄せし、クラスタ番号を出力します。",
        description=(
            "名寄せ: 複数機関のCSVファイル（見出し行: " + ",".join(COLUMNS) + "。UTF-8 または "
            "Shift_JIS/CP932）を読み込み、同一人物と判定したレコードに同じ cluster_id を付けます。"
        ),
    )
    link_parser.add_argument("inputs", nargs="+", type=Path, metavar="INPUT.csv", help="入力CSV")
    link_parser.add_argument(
        "--output", "-o", required=True, type=Path, metavar="clusters.csv", help="出力CSV"
    )
    link_parser.add_argument(
        "--with-probability",
        action="store_true",
        help="match_probability 列（クラスタに結び付けた一致確率の最大値）を出力する",
    )
    link_parser.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help=f"同一人物とみなす一致確率（既定 {DEFAULT_THRESHOLD}）",
    )
    link_parser.add_argument(
        "--review-from",
        type=float,
        default=DEFAULT_REVIEW_BAND[0],
        help=f"確認待ちとするペアの一致確率の下限（既定 {DEFAULT_REVIEW_BAND[0]}）",
    )
    link_parser.add_argument(
        "--review-output",
        type=Path,
        metavar="review.csv",
        help="確認待ちのペア（下限以上・しきい値未満と、規則で自動の名寄せを止めたペア。"
        "reason 列にその理由）を書き出すCSV",
    )
    link_parser.add_argument(
        "--strict-household",
        action="store_true",
        help="同じ世帯（住所・電話が同じ）で一方に生年月日のないペアも自動では名寄せせず、"
        "確認待ちにする（同姓同名の親子を取り違えない代わりに確認が増えます）",
    )
    link_parser.add_argument(
        "--model-output",
        type=Path,
        metavar="model.json",
        help="推定したモデル（事前確率と各水準の m・u）を書き出すJSON（照会の重みに使えます）",
    )
    link_parser.add_argument(
        "--backend",
        choices=ENGINES,
        default="duckdb",
        help="照合を実行するエンジン（既定 duckdb。spark は県単位の大規模データ向けで、"
        "pyspark と Java が必要）",
    )
    link_parser.add_argument(
        "--spark-master",
        metavar="URL",
        help="Spark のマスター（既定 local[*]。例: spark://host:7077、yarn）",
    )
    link_parser.add_argument(
        "--spark-conf",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="Spark の設定（繰り返し指定可。例: spark.executor.memory=8g）",
    )
    link_parser.add_argument(
        "--spark-checkpoint-dir",
        metavar="DIR",
        help="Spark が途中結果を書き出すディレクトリ（クラスタでは HDFS・S3 など共有の場所）",
    )
    link_parser.add_argument(
        "--spark-staging-dir",
        metavar="DIR",
        help="正規化したレコードを Parquet で置き Spark に読ませるディレクトリ"
        "（数千万件のとき。クラスタでは共有の場所）",
    )
    return parser


def backend_options(args: argparse.Namespace) -> dict | None:
    """The engine options of the command line (``None`` for DuckDB)."""
    spark_given = (
        args.spark_master or args.spark_conf or args.spark_checkpoint_dir or args.spark_staging_dir
    )
    if args.backend != "spark":
        if spark_given:
            raise InputError("--spark-… のオプションは --backend spark と一緒に指定してください。")
        return None
    from tsunagu.linkage.spark import unavailable

    reason = unavailable()
    if reason:
        raise InputError(reason)
    options: dict = {}
    if args.spark_master:
        options["master"] = args.spark_master
    if args.spark_checkpoint_dir:
        options["checkpoint_dir"] = args.spark_checkpoint_dir
    if args.spark_staging_dir:
        options["staging_dir"] = args.spark_staging_dir
    config = {}
    for setting in args.spark_conf:
        key, equals, value = setting.partition("=")
        if not equals or not key.strip():
            raise InputError(
                f"--spark-conf「{setting}」は KEY=VALUE の形で指定してください"
                "（例: spark.executor.memory=8g）。"
            )
        config[key.strip()] = value.strip()
    if config:
        options["config"] = config
    return options


def run_link(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    started = time.perf_counter()
    progress = Progress(stderr)
    try:
        if not 0 < args.review_from <= args.threshold <= 1:
            raise InputError(
                "しきい値は 0 より大きく 1 以下、--review-from はしきい値以下にしてください。"
            )
        options = backend_options(args)
        progress("reading")
        columns = read_inputs(args.inputs, stderr)
        result = link(
            columns,
            threshold=args.threshold,
            review_band=(args.review_from, args.threshold),
            progress=progress,
            backend=args.backend,
            backend_options=options,
            strict_household=args.strict_household,
        )
    except (InputError, LinkageInputError) as error:
        progress.done()
        stderr.write(f"エラー: {error}\n")
        return EXIT_INPUT_ERROR
    progress.done()

    with args.output.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        if args.with_probability:
            writer.writerow(["source", "record_id", "cluster_id", "match_probability"])
            writer.writerows(
                (
                    c.source,
                    c.record_id,
                    c.cluster_id,
                    "" if c.match_probability is None else f"{c.match_probability:.6f}",
                )
                for c in result.clusters
            )
        else:
            writer.writerow(["source", "record_id", "cluster_id"])
            writer.writerows((c.source, c.record_id, c.cluster_id) for c in result.clusters)
    if args.review_output:
        with args.review_output.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(
                [
                    "source_l",
                    "record_id_l",
                    "source_r",
                    "record_id_r",
                    "match_probability",
                    "reason",
                    "reason_label",
                ]
            )
            writer.writerows(
                (
                    p.source_l,
                    p.record_id_l,
                    p.source_r,
                    p.record_id_r,
                    f"{p.match_probability:.6f}",
                    p.reason,
                    HOLD_REASONS.get(p.reason, ""),
                )
                for p in result.review_pairs
            )
    if args.model_output and result.model is not None:
        args.model_output.write_text(
            json.dumps(result.model, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    seconds = time.perf_counter() - started
    stdout.write(
        f"{result.n_records}件 → {result.n_clusters}人（クラスタ）、"
        f"確認待ちのペア {len(result.review_pairs)}組、{seconds:.1f}秒\n"
    )
    return 0


def main(
    argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    args = build_parser().parse_args(argv)
    if args.command == "link":
        return run_link(args, stdout, stderr)
    return EXIT_INPUT_ERROR  # pragma: no cover - argparse requires a command
