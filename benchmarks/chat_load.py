"""Belast de Wegwijzer-chat met gelijktijdige vragen: op Gradio's /ask en op de
OpenAI-compatibele API (/v1/chat/completions), na elkaar in dezelfde run op dezelfde server.

Start zelf een server (`wegwijzer serve` op een vrije poort op 127.0.0.1, met de index in
--data-dir) of gebruikt een draaiende server via --url (alleen adressen op deze machine).
Daarna stellen per eindpunt 20 gelijktijdige clients (gradio_client, of de `openai`-client)
elk 5 vragen. Drukt per eindpunt af: aantal vragen, aantal fouten, p50/p95/max van de
wachttijd per vraag en de doorvoer. `--mode ask` of `--mode openai` meet er maar één.

Alles is begrensd: elke vraag wacht hoogstens --timeout seconden en de hele meting stopt na
--deadline seconden; een zelf gestarte server wordt altijd weer gestopt.
Gebruik: `python benchmarks/chat_load.py --data-dir .wegwijzer` of `--url http://127.0.0.1:7860/`
(met een API-sleutel op de server: WEGWIJZER_API_KEY of --api-key).
"""

from __future__ import annotations

import os

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import argparse  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable  # noqa: E402
from urllib.parse import urlparse  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from chat_support import start_server  # noqa: E402
from common.settings import Settings  # noqa: E402
from evals.metrics import percentile  # noqa: E402

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


class BadAnswer(Exception):
    """The endpoint answered, but not with an answer and its sources."""


def ask_endpoint(url: str, timeout: float, api_key: str | None) -> Callable[[str, float], None]:
    """Gradio's /ask for one client: a function that asks one question (within a time)."""
    from gradio_client import Client

    client = Client(url, verbose=False)

    def ask(question: str, seconds: float) -> None:
        result = client.submit(question, api_name="/ask").result(timeout=seconds)
        if not isinstance(result, dict) or "answer" not in result or "sources" not in result:
            raise BadAnswer()

    return ask


def openai_endpoint(url: str, timeout: float, api_key: str | None) -> Callable[[str, float], None]:
    """/v1/chat/completions for one client, with the official openai client."""
    from openai import OpenAI

    client = OpenAI(base_url=url.rstrip("/") + "/v1", api_key=api_key or "geen-sleutel",
                    max_retries=0, timeout=timeout)

    def ask(question: str, seconds: float) -> None:
        response = client.with_options(timeout=seconds).chat.completions.create(
            model="wegwijzer", messages=[{"role": "user", "content": question}])
        if not response.choices[0].message.content or "sources" not in (response.model_extra or {}):
            raise BadAnswer()

    return ask


ENDPOINTS = {"ask": ("Gradio /ask", ask_endpoint),
             "openai": ("OpenAI /v1/chat/completions", openai_endpoint)}


def run_client(connect: Callable[..., Callable[[str, float], None]], url: str, number: int,
               questions: int, timeout: float, stop_at: float, load: Load,
               api_key: str | None) -> None:
    """One simulated user: connect, then ask `questions` questions one after another."""
    try:
        ask = connect(url, timeout, api_key)
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
            ask(question, min(timeout, max(0.1, stop_at - started)))
        except BadAnswer:
            load.fail("onverwacht antwoord")
            continue
        except TimeoutError:
            load.fail("geen antwoord binnen de tijd")
            continue
        except Exception as error:
            load.fail(f"fout van de server ({type(error).__name__}: {str(error)[:80]})")
            continue
        load.ok(time.perf_counter() - started)


def measure(connect: Callable[..., Callable[[str, float], None]], url: str, clients: int,
            questions: int, timeout: float, deadline: float, api_key: str | None = None) -> Load:
    """Run all clients at once; bounded by `deadline` seconds."""
    load = Load()
    stop_at = time.perf_counter() + deadline
    threads = [threading.Thread(target=run_client, daemon=True, args=(
        connect, url, n, questions, timeout, stop_at, load, api_key)) for n in range(clients)]
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
        # Nearest rank ("inverted_cdf"): a latency some request really had.
        p50, p95 = (percentile(load.latencies, q, method="inverted_cdf") or 0.0 for q in (50, 95))
        print(f"Wachttijd per vraag: p50 {_seconds(p50)}, p95 {_seconds(p95)}, "
              f"max {_seconds(max(load.latencies))}")
    print(f"Totale tijd: {_seconds(seconds)}, doorvoer: "
          f"{len(load.latencies) / seconds:.1f}".replace(".", ",") + " vragen/s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Belastingstest van de Wegwijzer-chat (/ask) en de API (/v1/chat/completions).")
    parser.add_argument("--url", help="draaiende server op deze machine, bv. http://127.0.0.1:7860/")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="index voor een zelf gestarte server (standaard WEGWIJZER_DATA_DIR "
                             "of .wegwijzer)")
    parser.add_argument("--concurrency", type=int, default=None,
                        help="vragen tegelijk in een zelf gestarte server (standaard 4)")
    parser.add_argument("--clients", type=int, default=20, help="gelijktijdige clients (standaard 20)")
    parser.add_argument("--questions", type=int, default=5, help="vragen per client (standaard 5)")
    parser.add_argument("--timeout", type=float, default=60.0, help="maximale wachttijd per vraag (s)")
    parser.add_argument("--deadline", type=float, default=300.0,
                        help="maximale meettijd per eindpunt (s)")
    parser.add_argument("--mode", choices=("beide", *ENDPOINTS), default="beide",
                        help="welk eindpunt: ask (Gradio), openai (/v1) of beide (standaard)")
    parser.add_argument("--api-key", default=os.environ.get("WEGWIJZER_API_KEY"),
                        help="API-sleutel van een draaiende server (standaard WEGWIJZER_API_KEY)")
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
    errors = 0
    try:
        for mode in (ENDPOINTS if args.mode == "beide" else (args.mode,)):
            name, connect = ENDPOINTS[mode]
            print(f"\n{name}:")
            started = time.perf_counter()
            load = measure(connect, url, args.clients, args.questions, args.timeout,
                           args.deadline, args.api_key)
            report(load, args.clients, args.questions, time.perf_counter() - started)
            errors += sum(load.errors.values())
    finally:
        if server is not None:
            server.stop()
            print("Server gestopt.")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
