"""Belast de Wegwijzer-chat met gelijktijdige vragen op /ask.

Start zelf een server (`wegwijzer serve` op een vrije poort op 127.0.0.1, met de index in
--data-dir) of gebruikt een draaiende server via --url (alleen adressen op deze machine).
Daarna stellen 20 gelijktijdige gradio_client-clients elk 5 vragen. Drukt af: aantal
vragen, aantal fouten, p50/p95/max van de wachttijd per vraag en de doorvoer.

Alles is begrensd: elke vraag wacht hoogstens --timeout seconden en de hele meting stopt na
--deadline seconden; een zelf gestarte server wordt altijd weer gestopt.
Gebruik: `python benchmarks/chat_load.py --data-dir .wegwijzer` of `--url http://127.0.0.1:7860/`.
"""

from __future__ import annotations

import os

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import argparse  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlparse  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from chat_support import start_server  # noqa: E402
from common.settings import Settings  # noqa: E402

QUESTIONS = (
    "Wat is een attractieve agenda?",
    "Hoe betrek ik de gemeenteraad bij regionale samenwerking?",
    "Wat vertelt de UWV-voorzitter over cijfers en feiten?",
    "Wie was voorzitter van de Denktank?",
    "Waarom is kennis van het netwerk belangrijk?",
    "Hoe kies je een sturingsprincipe?",
    "Wat kan ik als raadslid doen om grip te houden op regionale samenwerking?",
    "Wat is de begroting van Gouda voor 2025?",
)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _seconds(value: float) -> str:
    return f"{value:.2f}".replace(".", ",") + " s"


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (0 < fraction <= 1) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


class Load:
    """The shared tally of all clients."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: Counter[str] = Counter()
        self.done = 0

    def ok(self, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.done += 1

    def fail(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] += 1
            self.done += 1


def run_client(url: str, number: int, questions: int, timeout: float, stop_at: float,
               load: Load) -> None:
    """One simulated user: connect, then ask `questions` questions one after another."""
    from gradio_client import Client

    try:
        client = Client(url, verbose=False)
    except Exception as error:  # counted and reported, never hidden
        for _ in range(questions):
            load.fail(f"verbinden mislukt ({type(error).__name__})")
        return
    for index in range(questions):
        if time.perf_counter() >= stop_at:
            load.fail("niet gesteld: meettijd op")
            continue
        question = QUESTIONS[(number * questions + index) % len(QUESTIONS)]
        started = time.perf_counter()
        try:
            job = client.submit(question, api_name="/ask")
            result = job.result(timeout=min(timeout, max(0.1, stop_at - started)))
        except TimeoutError:
            load.fail("geen antwoord binnen de tijd")
            continue
        except Exception as error:
            load.fail(f"fout van de server ({type(error).__name__}: {str(error)[:80]})")
            continue
        if not isinstance(result, dict) or "answer" not in result or "sources" not in result:
            load.fail("onverwacht antwoord")
            continue
        load.ok(time.perf_counter() - started)


def measure(url: str, clients: int, questions: int, timeout: float, deadline: float) -> Load:
    """Run all clients at once; bounded by `deadline` seconds."""
    load = Load()
    stop_at = time.perf_counter() + deadline
    threads = [threading.Thread(target=run_client, args=(url, n, questions, timeout, stop_at, load),
                                daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, stop_at - time.perf_counter()) + timeout)
    missing = clients * questions - load.done
    for _ in range(max(0, missing)):
        load.fail("niet afgerond binnen de meettijd")
    return load


def report(load: Load, clients: int, questions: int, seconds: float) -> None:
    total = clients * questions
    errors = sum(load.errors.values())
    print(f"Vragen: {total} ({clients} clients × {questions}), gelukt: {len(load.latencies)}, "
          f"fouten: {errors}")
    for kind, count in load.errors.most_common():
        print(f"  {count}× {kind}")
    if load.latencies:
        print(f"Wachttijd per vraag: p50 {_seconds(percentile(load.latencies, 0.50))}, "
              f"p95 {_seconds(percentile(load.latencies, 0.95))}, "
              f"max {_seconds(max(load.latencies))}")
    print(f"Totale tijd: {_seconds(seconds)}, doorvoer: "
          f"{len(load.latencies) / seconds:.1f}".replace(".", ",") + " vragen/s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Belastingstest van de Wegwijzer-chat (/ask).")
    parser.add_argument("--url", help="draaiende server op deze machine, bv. http://127.0.0.1:7860/")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="index voor een zelf gestarte server (standaard WEGWIJZER_DATA_DIR "
                             "of .wegwijzer)")
    parser.add_argument("--concurrency", type=int, default=None,
                        help="vragen tegelijk in een zelf gestarte server (standaard 4)")
    parser.add_argument("--clients", type=int, default=20, help="gelijktijdige clients (standaard 20)")
    parser.add_argument("--questions", type=int, default=5, help="vragen per client (standaard 5)")
    parser.add_argument("--timeout", type=float, default=60.0, help="maximale wachttijd per vraag (s)")
    parser.add_argument("--deadline", type=float, default=300.0, help="maximale meettijd (s)")
    args = parser.parse_args(argv)

    if args.url:
        host = urlparse(args.url).hostname or ""
        if host not in LOOPBACK and not host.startswith("127."):
            print(f"Geweigerd: {args.url} is geen adres op deze machine. Gebruik 127.0.0.1 of localhost.")
            return 2
        url, server = args.url, None
    else:
        data_dir = (args.data_dir or Settings.from_env().data_dir).resolve()
        if not (data_dir / "chroma").is_dir():
            print(f"Geen index in {data_dir}. Bouw hem eerst met `wegwijzer index --data-dir "
                  f"{data_dir}`, of geef --data-dir of --url.")
            return 2
        extra = ("--concurrency", str(args.concurrency)) if args.concurrency else ()
        log_dir = Path(tempfile.mkdtemp(prefix="wegwijzer-load-"))
        server = start_server(data_dir, log_dir / "serve.log", extra_args=extra)
        url = server.url
        print(f"Server gestart op {url} (klaar na {_seconds(server.started_in_s)}), index {data_dir}")
    try:
        started = time.perf_counter()
        load = measure(url, args.clients, args.questions, args.timeout, args.deadline)
        report(load, args.clients, args.questions, time.perf_counter() - started)
    finally:
        if server is not None:
            server.stop()
            print("Server gestopt.")
    return 1 if load.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
