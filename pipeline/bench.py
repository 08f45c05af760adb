"""`make bench`: pages per second of pdftotext, bare pdfplumber and clusterlex end to end, with peak memory.

Not a test: it prints figures and writes them as JSON for tracking (outputs/bench/bench.json).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _children(pid: int) -> list[int]:
    kids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
                if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                    kids.append(int(d.name))
            except (OSError, ValueError):
                continue
    return kids


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, MB."""
    total, stack, seen = 0.0, [pid], set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
        except (OSError, ValueError, IndexError):
            continue
        stack.extend(_children(p))
    return total


class PeakRSS:
    """Samples the resident memory of a process tree in a thread; `peak` in MB."""

    def __init__(self, pid: int, every: float = 0.2):
        self.pid, self.every, self.peak = pid, every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss_mb(self.pid))
            self._stop.wait(self.every)

    def __enter__(self) -> "PeakRSS":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def is_text_layer(path: Path) -> bool:
    out = subprocess.run(["pdftotext", "-l", "3", str(path), "-"], capture_output=True, text=True).stdout
    return sum(ch.isalpha() for ch in out) > 200


def build_corpus(target: Path, min_pages: int) -> list[Path]:
    """Real text-layer PDFs plus our acts rendered again with another running header until `min_pages`.

    Each copy is a different PDF (a byte-identical one would be reported as a duplicate, not processed).
    """
    target.mkdir(parents=True, exist_ok=True)
    real = [p for p in sorted((ROOT.parent / "shared" / "realpdfs").glob("*.pdf")) if is_text_layer(p)]
    if not real:
        real = sorted((ROOT / "corpora" / "real").glob("*.pdf"))
    rendered = sorted(p for sub in ("devset", "own", "heldout") for p in (ROOT / "corpora" / sub).glob("*.txt"))
    files: list[Path] = []
    for p in real:
        files.append(_place(p, target / p.name))
    pages = sum(page_count(p) for p in files)
    copy = 0
    while pages < min_pages and rendered:
        copy += 1
        for p in rendered:
            dst = target / f"{p.stem}-copy{copy}.pdf"
            if not dst.exists():
                subprocess.run([sys.executable, str(ROOT / "corpora" / "render.py"), str(p), str(dst),
                                "--header", f"Официальное опубликование правовых актов · выпуск {copy}"],
                               check=True, capture_output=True)
            files.append(dst)
            pages += page_count(dst)
    for stale in set(target.glob("*.pdf")) - set(files):
        stale.unlink()  # left by an earlier build: clusterlex reads the folder, so it must hold these only
    return files


def _place(src: Path, dst: Path) -> Path:
    if not dst.exists():
        shutil.copyfile(src, dst)
    return dst


def long_act(target: Path, pages: int = 1000) -> Path:
    """One act of at least `pages` pages: the longest real PDF's pages repeated (memory must not grow with it)."""
    import pypdfium2 as pdfium

    if target.exists():
        return target
    real = (ROOT / "corpora" / "real")
    src_path = max(real.glob("*.pdf"), key=page_count)
    src = pdfium.PdfDocument(str(src_path))
    out = pdfium.PdfDocument.new()
    while len(out) < pages:
        out.import_pages(src)
    target.parent.mkdir(parents=True, exist_ok=True)
    out.save(str(target))
    out.close()
    src.close()
    return target


def time_pdftotext(files: list[Path]) -> float:
    t = time.perf_counter()
    for f in files:
        subprocess.run(["pdftotext", "-q", str(f), "/dev/null"], check=False)
    return time.perf_counter() - t


def _pdfplumber_all(paths: list[str]) -> None:
    import pdfplumber

    for f in paths:
        with pdfplumber.open(f) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.close()


def _pdfplumber_loop(paths: list[str]) -> None:
    """Print the seconds `_pdfplumber_all` takes, without interpreter start and imports."""
    import pdfplumber  # noqa: F401  (imported before the clock starts)

    t = time.perf_counter()
    _pdfplumber_all(paths)
    print(f"{time.perf_counter() - t:.4f}")


def devset_speed(out: Path) -> dict:
    """On the devset: PDF text extraction (bare pdfplumber, and clusterlex's own ingestion) against the
    NLP stage, each in seconds of one process (`clusterlex run --workers 1`; stage times from run.json)."""
    folder = ROOT / "corpora" / "devset"
    files = sorted(folder.glob("*.pdf"))
    code = "import sys; from pipeline.bench import _pdfplumber_loop; _pdfplumber_loop(sys.argv[1:])"
    res = subprocess.run([sys.executable, "-c", code, *map(str, files)], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    shutil.rmtree(out, ignore_errors=True)
    _, _, run = time_clusterlex(folder, out, 1)
    shutil.rmtree(out, ignore_errors=True)
    st = run["stage_seconds"]
    return {"acts": len(files), "pages": sum(page_count(f) for f in files),
            "pdfplumber_extract_text_s": round(float(res.stdout.split()[-1]), 3),
            "ingest_s": round(st["ingest"], 3), "structure_s": round(st["structure"], 3), "nlp_s": round(st["nlp"], 3)}


def time_pdfplumber(files: list[Path]) -> tuple[float, float]:
    """Bare single-process pdfplumber `extract_text` in a child process: seconds and its peak RSS."""
    code = ("import sys; from pipeline.bench import _pdfplumber_all; _pdfplumber_all(sys.argv[1:])")
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *map(str, files)], cwd=ROOT)
    with PeakRSS(proc.pid) as rss:
        proc.wait()
    return time.perf_counter() - t, rss.peak


def time_clusterlex(corpus: Path, out: Path, workers: int, *extra: str) -> tuple[float, float, dict]:
    """`clusterlex run` as a user runs it: seconds, peak RSS of the whole process tree, and run.json."""
    exe = shutil.which("clusterlex", path=str(Path(sys.executable).parent)) or "clusterlex"
    t = time.perf_counter()
    proc = subprocess.Popen([exe, "run", str(corpus), "--out", str(out), "--no-progress",
                             "--workers", str(workers), *extra], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    with PeakRSS(proc.pid) as rss:
        proc.wait()
    seconds = time.perf_counter() - t
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    run["exit_code"] = proc.returncode
    return seconds, rss.peak, run


def hostile_batch(folder: Path, workers: int) -> dict:
    """Every hostile input of the test suite beside the devset acts: exit code, reasons and peak memory."""
    sys.path.insert(0, str(ROOT))
    from tests.hostile import build_hostile_folder

    shutil.rmtree(folder, ignore_errors=True)
    src = folder / "in"
    expected = build_hostile_folder(src, folder / "elsewhere")
    for p in sorted((ROOT / "corpora" / "devset").glob("*.pdf")):
        shutil.copy(p, src / p.name)
    t, rss, run = time_clusterlex(src, folder / "out", workers)
    reasons = [json.loads(x)["reason"] for x in (folder / "out" / "errors.jsonl").read_text().splitlines()]
    return {"inputs": run["inputs"], "processed": run["processed"], "failed": run["failed"],
            "expected_failures": sum(1 for r in expected.values() if r), "exit_code": run["exit_code"],
            "reasons": sorted(reasons), "seconds": round(t, 2), "peak_rss_mb": round(rss)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=ROOT / "outputs" / "bench")
    ap.add_argument("--min-pages", type=int, default=600)
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3, help="first runs to take the median of")
    ap.add_argument("--skip-long", action="store_true", help="skip the 1,000-page act")
    ap.add_argument("--skip-hostile", action="store_true", help="skip the batch of hostile inputs")
    ap.add_argument("--skip-pdfplumber", action="store_true", help="reuse the last measured pdfplumber figure")
    args = ap.parse_args(argv)
    corpus = args.out / "corpus"
    files = build_corpus(corpus, args.min_pages)
    pages = sum(page_count(f) for f in files)
    print(f"corpus: {len(files)} PDFs, {pages} pages ({corpus})")

    results: dict = {"files": len(files), "pages": pages, "cores": os.cpu_count()}
    t = time_pdftotext(files)
    results["pdftotext"] = {"seconds": round(t, 2), "pages_per_s": round(pages / t, 1)}
    print(f"pdftotext:              {t:8.2f} s  {pages / t:8.1f} pages/s")

    previous = args.out / "bench.json"
    if args.skip_pdfplumber and previous.exists():
        results["pdfplumber"] = json.loads(previous.read_text())["pdfplumber"]
    else:
        t, rss = time_pdfplumber(files)
        results["pdfplumber"] = {"seconds": round(t, 2), "pages_per_s": round(pages / t, 1), "peak_rss_mb": round(rss)}
    pp = results["pdfplumber"]
    print(f"pdfplumber extract_text:{pp['seconds']:8.2f} s  {pp['pages_per_s']:8.1f} pages/s  (one process)")

    # The first run is repeated (each into an empty folder) and the median taken: on a shared machine
    # one run varies by +-10 %; every run is printed and kept in bench.json.
    run_out = args.out / "run"
    firsts = []
    for _ in range(max(1, args.repeat)):
        shutil.rmtree(run_out, ignore_errors=True)
        firsts.append(time_clusterlex(corpus, run_out, args.workers))
    first, rss1, run1 = sorted(firsts, key=lambda r: r[0])[len(firsts) // 2]
    rss1 = max(r[1] for r in firsts)
    again, rss2, run2 = time_clusterlex(corpus, run_out, args.workers)
    stages = run1["stage_seconds"]
    total_stage = sum(stages.values()) or 1.0
    results["clusterlex_first"] = {"seconds": round(first, 2), "pages_per_s": round(pages / first, 1),
                                   "runs_seconds": [round(r[0], 2) for r in firsts],
                                   "peak_rss_mb": round(rss1), "processed": run1["processed"],
                                   "failed": run1["failed"],
                                   "stage_share": {k: round(v / total_stage, 3) for k, v in stages.items()}}
    results["clusterlex_rerun"] = {"seconds": round(again, 2), "peak_rss_mb": round(rss2),
                                   "skipped": run2["skipped"], "processed": run2["processed"]}
    results["ratio_vs_pdfplumber"] = round((pages / first) / pp["pages_per_s"], 2)
    results["rerun_share_of_first"] = round(again / first, 3)
    print(f"clusterlex first run:   {first:8.2f} s  {pages / first:8.1f} pages/s  peak RSS {rss1:.0f} MB "
          f"({run1['processed']} processed, {run1['failed']} failed; median of "
          f"{', '.join(f'{r[0]:.2f}' for r in firsts)} s)")
    print("  stage shares (worker time): " + ", ".join(f"{k} {v / total_stage:.0%}" for k, v in stages.items()))
    print(f"clusterlex re-run:      {again:8.2f} s  ({run2['skipped']} unchanged skipped, peak RSS {rss2:.0f} MB)")
    print(f"ratio clusterlex / pdfplumber pages per second: {results['ratio_vs_pdfplumber']:.2f}")
    print(f"re-run time / first run time: {results['rerun_share_of_first']:.3f}")
    d = results["devset"] = devset_speed(args.out / "devset-run")
    print(f"devset ({d['acts']} acts, {d['pages']} pages), seconds of one process: PDF text extraction "
          f"{d['pdfplumber_extract_text_s']:.2f} (pdfplumber extract_text) / {d['ingest_s']:.2f} (clusterlex "
          f"ingestion), structure {d['structure_s']:.2f}, NLP {d['nlp_s']:.2f}")
    if not args.skip_long:
        big = long_act(args.out / "long" / "long-act.pdf")
        big_pages = page_count(big)
        t, rss, run = time_clusterlex(big.parent, args.out / "long-run", args.workers, "--timeout", "3600")
        shutil.rmtree(args.out / "long-run", ignore_errors=True)
        results["long_act"] = {"pages": big_pages, "seconds": round(t, 2), "peak_rss_mb": round(rss),
                               "processed": run["processed"], "failed": run["failed"]}
        print(f"one {big_pages}-page act:      {t:8.2f} s  peak RSS {rss:.0f} MB of the whole process tree "
              f"({run['processed']} processed, {run['failed']} failed)")
    if not args.skip_hostile:
        h = results["hostile"] = hostile_batch(args.out / "hostile", args.workers)
        print(f"hostile batch:          {h['seconds']:8.2f} s  peak RSS {h['peak_rss_mb']} MB, exit code "
              f"{h['exit_code']}, {h['processed']} processed, {h['failed']} rejected: {', '.join(h['reasons'])}")
    previous.parent.mkdir(parents=True, exist_ok=True)
    previous.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written: {previous}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
