"""Meet hoe snel `wegwijzer serve` klaar is na het starten van het proces.

Start de chatserver een paar keer als nieuw proces op een vrije poort (alleen 127.0.0.1) met de
index in --data-dir, en meet per keer:

* de tijd tot de pagina bereikbaar is (HTTP 200 op /), en
* de tijd tot het eerste antwoord op /ask (modellen en index geladen, vraag beantwoord).

Doel: het eerste antwoord binnen 10 s. Elke start is begrensd (--timeout) en de server wordt
altijd weer gestopt. Gebruik: `python benchmarks/serve_startup.py --data-dir .wegwijzer`.
"""

from __future__ import annotations

import os

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from chat_support import start_server  # noqa: E402
from common.settings import Settings  # noqa: E402

TARGET_SECONDS = 10.0
QUESTION = "Wat is een attractieve agenda?"


def _seconds(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + " s"


def has_index(data_dir: Path) -> bool:
    """True when data_dir holds a local Chroma index (built with `wegwijzer index`)."""
    return (data_dir / "chroma").is_dir() and any((data_dir / "chroma").iterdir())


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) a process has used so far, from /proc (Linux); else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    try:
        return ", ".join(f"{v:.1f}".replace(".", ",") for v in os.getloadavg())
    except OSError:
        return "onbekend"


def measure_once(data_dir: Path, log_dir: Path, timeout: float) -> tuple[float, float, float | None]:
    """(s to HTTP 200, s to the first /ask answer, CPU s the server used until then)."""
    from gradio_client import Client

    started = time.perf_counter()
    server = start_server(data_dir, log_dir / f"serve-{int(started * 1000)}.log", timeout=timeout)
    try:
        page_ready = server.started_in_s
        result = Client(server.url, verbose=False).predict(QUESTION, api_name="/ask")
        answered = time.perf_counter() - started
        if not isinstance(result, dict) or "answer" not in result:
            raise RuntimeError(f"onverwacht antwoord van /ask: {result!r}")
        return page_ready, answered, cpu_seconds(server.process.pid)
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Meet de opstarttijd van de Wegwijzer-chat.")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="map met de index (standaard WEGWIJZER_DATA_DIR of .wegwijzer)")
    parser.add_argument("--runs", type=int, default=3, help="aantal starts (standaard 3)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="maximale wachttijd per start in seconden (standaard 60)")
    args = parser.parse_args(argv)

    data_dir = (args.data_dir or Settings.from_env().data_dir).resolve()
    if not has_index(data_dir):
        print(f"Geen index in {data_dir}. Bouw hem eerst met `wegwijzer index --data-dir "
              f"{data_dir}` of geef een andere map met --data-dir.")
        return 2
    print(f"Index: {data_dir}")
    print(f"Starts: {args.runs} (elk begrensd op {_seconds(args.timeout)}); "
          f"belasting van de machine vooraf: {load_average()} ({os.cpu_count()} kernen)")
    pages: list[float] = []
    answers: list[float] = []
    cpus: list[float] = []
    with tempfile.TemporaryDirectory(prefix="wegwijzer-startup-") as tmp:
        for run in range(1, args.runs + 1):
            page, answer, cpu = measure_once(data_dir, Path(tmp), args.timeout)
            pages.append(page)
            answers.append(answer)
            cpu_text = ""
            if cpu is not None:
                cpus.append(cpu)
                cpu_text = f" (CPU-tijd van de server: {_seconds(cpu)})"
            print(f"  start {run}: pagina bereikbaar na {_seconds(page)}, "
                  f"eerste antwoord op /ask na {_seconds(answer)}{cpu_text}")
    median_page = statistics.median(pages)
    median_answer = statistics.median(answers)
    verdict = "gehaald" if median_answer < TARGET_SECONDS else "NIET gehaald"
    print(f"Mediaan: pagina bereikbaar na {_seconds(median_page)}, eerste antwoord na "
          f"{_seconds(median_answer)} (doel: onder {_seconds(TARGET_SECONDS)}: {verdict}).")
    if cpus:
        print(f"Mediaan CPU-tijd van de server tot het eerste antwoord: "
              f"{_seconds(statistics.median(cpus))} (ongeveer de wachttijd op een rustige machine).")
    return 0 if median_answer < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
