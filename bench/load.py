"""Load: agents working the workspace while contacts arrive through the API, on PostgreSQL and Redis.

    .venv/bin/python bench/load.py [--minutes 10] [--rate 200] [--batch 1] [--agents 50] [--think 5] [--workers 2]
                                   [--pg-url URL] [--redis-url URL] [--no-worker] [--json]
    .venv/bin/python bench/load.py --short    # 1 minute, the same rate and agents
    .venv/bin/python bench/load.py --batch 20 # the same contacts, forwarded 20 a call through the bulk API

Makes the PostgreSQL database named in `--pg-url` afresh (drops it first: give it a database of its own), migrates
it, creates a queue, an API integration (bench/ingest.py's setup: 5,000 known customers) and the agents
(bench/workspace.py's agent1..agentN), then starts, on a free high port, the real server as production runs it
(`contactpunt up --no-demo --no-worker --workers N`: uvicorn) and `contactpunt worker`, both with `REDIS_URL` (channel
layer and cache), and two client processes:

  - arrivals: `--rate` contacts per second to POST /api/v1/contacts, open loop (each send is due at its own time,
    whatever the earlier ones do; at most `--in-flight` calls open at once, 64, as an integration's pool: a server
    that falls behind shows as a lower achieved rate), or with `--batch N` the contacts of each N/rate seconds
    together to POST /api/v1/contacts/bulk, as a platform that forwards what arrived in the last moment; a 503
    ("nothing was stored, retry") or a broken connection is sent again after Retry-After with the same external
    ids, up to 5 times, as an integration does; counted apart;
  - agents: `--agents` agents, each logged in with its own session, acting on average every `--think` seconds
    (Poisson, open loop): open the inbox, open one of its cases, reply (written channels), wrap up and resolve;
    a page answered 503 ("busy, retry") is asked again after its Retry-After, as an agent reloads it, and a GET that
    met a kept-alive connection just closed by the server is sent once more, as a browser does; both counted apart.

The database is analysed after the preparation and every minute of the run, as PostgreSQL's autovacuum does on
a production server (a server with autovacuum off, as a shared development server may be, otherwise plans every
query of a table grown from nothing on its first statistics: the case page took seconds).

After `--minutes` it prints: requests and errors (a non-2xx answer or a broken connection; must be 0), the offered
and the achieved arrival rate, contacts accepted, lost (accepted but not stored) and doubled (stored twice), and the
agents' page times (p50 and p95 per page and over all pages), with the load average of the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ingest import contact_payload, free_port, wait_for
from bench.workspace import percentile, psql, with_database

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
KNOWN = 5000
RETRIES = 5
ANALYZE_EVERY_S = 60.0


# -- child process roles ------------------------------------------------------------------------


def role_prepare(agents_text: str) -> None:
    """Queue, integration and known customers (bench/ingest.py), the agents and a session for each; print JSON."""
    from django.conf import settings
    from django.test import Client

    from bench import ingest, workspace
    from contactpunt.contacts.models import ContactReason
    from contactpunt.contacts.services.assignment import set_agent_state
    from contactpunt.people.models import User

    agents = int(agents_text)
    out = subprocess.run([PY, ingest.__file__, "--role", "setup", str(KNOWN)], check=True, capture_output=True)
    token = out.stdout.decode().strip().splitlines()[-1]
    workspace.ensure_agents(agents)
    if not ContactReason.objects.exists():
        ContactReason.objects.create(code="delivery", name="Levering")
    sessions = []
    for n in range(1, agents + 1):
        user = User.objects.get(username=f"agent{n}")
        client = Client()
        client.force_login(user)
        set_agent_state(agent=user, state="available")
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    reason = ContactReason.objects.values_list("pk", flat=True).first()
    print(json.dumps({"token": token, "cookie": settings.SESSION_COOKIE_NAME, "sessions": sessions, "reason": reason}))


def role_arrivals(  # noqa: PLR0917
    url: str, token: str, rate_text: str, seconds_text: str, out: str, in_flight_text: str, batch_text: str
) -> None:
    """Send contacts open loop at `rate` a second for `seconds`; write what was sent and answered to `out`.

    With `batch` 1 each contact is its own POST /api/v1/contacts; with more, the contacts due in each 1/rate x batch
    seconds go together in one POST /api/v1/contacts/bulk, as a telephony platform or a mail gateway forwards what
    arrived in the last moment; each item's own result decides whether it was accepted."""
    import httpx

    rate, seconds, in_flight = float(rate_text), float(seconds_text), int(in_flight_text)
    batch = max(1, int(batch_text))
    rng = random.Random(2)
    run = uuid.uuid4().hex[:8]
    accepted: list[str] = []
    errors: list[str] = []
    late = retried = 0

    def took(response: httpx.Response, payloads: list[dict[str, Any]]) -> bool:
        """Count what a 2xx answer accepted: the contact of a single call, each item of a bulk call whose own
        result is created or duplicate (a rejected item is an error)."""
        if response.status_code not in (200, 201):
            return False
        if batch == 1:
            accepted.append(payloads[0]["external_id"])
            return True
        for payload, result in zip(payloads, response.json()["results"], strict=True):
            if result["status"] in ("created", "duplicate"):
                accepted.append(payload["external_id"])
            else:
                errors.append(f"item rejected: {json.dumps(result)[:200]}")
        return True

    async def send(client: httpx.AsyncClient, n: int, gate: asyncio.Semaphore) -> None:
        """Send one contact, or the batch starting at contact n; on a 503 (nothing stored) or a broken connection
        send it again, as an integration does: the same external ids, so a contact is stored once however often
        it is sent."""
        nonlocal retried
        payloads = [contact_payload(n + i, run, KNOWN, rng) for i in range(batch)]
        path, body = ("/api/v1/contacts", payloads[0]) if batch == 1 else ("/api/v1/contacts/bulk", {"items": payloads})
        try:
            for attempt in range(RETRIES + 1):
                try:
                    response = await client.post(path, content=json.dumps(body))
                except httpx.HTTPError as error:
                    problem, wait_s = f"{type(error).__name__}: {error}", 5.0
                else:
                    if took(response, payloads):
                        return
                    problem = f"{response.status_code} {response.text[:200]}"
                    if response.status_code != 503:
                        break
                    wait_s = float(response.headers.get("Retry-After", "5"))
                if attempt < RETRIES:
                    retried += 1
                    await asyncio.sleep(wait_s)
            errors.append(problem)
        finally:
            gate.release()

    async def main() -> tuple[int, float, float]:
        nonlocal late
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        limits = httpx.Limits(max_connections=in_flight, max_keepalive_connections=in_flight)
        gate = asyncio.Semaphore(in_flight)
        tasks = set()
        async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=60) as client:
            started = time.perf_counter()
            n = 0
            end = started + seconds
            # With batches, a call is due when the last of its contacts is.
            while (due := started + (n + batch - 1) / rate) < end and time.perf_counter() < end:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                await gate.acquire()
                if time.perf_counter() - due > 1.0:
                    late += 1
                task = asyncio.create_task(send(client, n, gate))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                n += batch
            sent_for = time.perf_counter() - started
            await asyncio.gather(*tasks)
        return n, sent_for, time.perf_counter() - started

    sent, sent_for, elapsed = asyncio.run(main())
    result = {"sent": sent, "sent_for_s": sent_for, "elapsed_s": elapsed, "late_1s": late, "retried": retried}
    Path(out).write_text(json.dumps({**result, "accepted": accepted, "errors": errors}))


def role_agents(url: str, prepared: str, think_text: str, seconds_text: str, out: str) -> None:
    """Let each agent act open loop every `think` seconds on average; write the page times to `out`."""
    import httpx

    think, seconds = float(think_text), float(seconds_text)
    setup = json.loads(Path(prepared).read_text())
    samples: dict[str, list[float]] = {}
    errors: list[str] = []
    retried = resent_broken = 0
    rng = random.Random(7)

    async def page(client: httpx.AsyncClient, name: str, method: str, path: str, **kw: Any) -> httpx.Response | None:
        """One page, timed from the first send to the answer; a 503 ("busy, retry") is sent again after its
        Retry-After, up to RETRIES times, as an agent reloads it (the wait counts in the page's time)."""
        nonlocal retried, resent_broken
        started = time.perf_counter()
        stale_retried = False
        for attempt in range(RETRIES + 1):
            try:
                response = await client.request(method, path, **kw)
            except (httpx.ReadError, httpx.RemoteProtocolError) as error:
                if method == "GET" and not stale_retried:
                    # A kept-alive connection the server closed as this request went out: a browser sends an
                    # idempotent request once more on a fresh connection (RFC 9110, 9.2.2), and so does this agent.
                    stale_retried = True
                    resent_broken += 1
                    continue
                errors.append(f"{name}: {type(error).__name__}: {error}")
                return None
            except httpx.HTTPError as error:
                errors.append(f"{name}: {type(error).__name__}: {error}")
                return None
            if response.status_code != 503 or attempt == RETRIES:
                break
            retried += 1
            await asyncio.sleep(float(response.headers.get("Retry-After", "5")))
        samples.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        if response.status_code >= 400:
            errors.append(f"{name}: HTTP {response.status_code}")
            return None
        return response

    async def act(client: httpx.AsyncClient, lock: asyncio.Lock, seed: int, until: float) -> None:
        async with lock:  # one request at a time per agent, as in a browser tab
            if time.perf_counter() >= until:
                return  # an action still queued behind this agent's slower ones when the run ends is not done
            pick = random.Random(seed)
            listing = await page(client, "inbox", "GET", "/workspace/?assignee=unassigned")
            if listing is None:
                return
            ids = re.findall(r'<tr data-case="(\d+)"', listing.text)
            if not ids:
                return
            case_id = int(pick.choice(ids[:20]))
            case = await page(client, "case", "GET", f"/workspace/cases/{case_id}/")
            if case is None:
                return
            csrf = {"X-CSRFToken": client.cookies.get("csrftoken", "")}
            if 'id="reply-form"' in case.text:
                body = {"body": "Hallo, je bestelling is onderweg."}
                await page(client, "reply", "POST", f"/workspace/cases/{case_id}/reply/", data=body, headers=csrf)
            wrap = {"reason": setup["reason"], "resolve": "on"}
            await page(client, "wrap_up", "POST", f"/workspace/cases/{case_id}/wrap-up/", data=wrap, headers=csrf)

    async def agent(session: str, seed: int, until: float) -> None:
        agent_rng = random.Random(seed)
        lock = asyncio.Lock()
        pending = set()
        cookies = {setup["cookie"]: session}
        async with httpx.AsyncClient(base_url=url, cookies=cookies, timeout=60, headers={"Referer": url}) as client:
            await page(client, "inbox", "GET", "/workspace/")  # the csrf cookie
            next_at = time.perf_counter() + agent_rng.expovariate(1 / think)
            while next_at < until:
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                task = asyncio.create_task(act(client, lock, agent_rng.randrange(1 << 30), until))
                pending.add(task)
                task.add_done_callback(pending.discard)
                next_at += agent_rng.expovariate(1 / think)
            await asyncio.gather(*pending)

    async def main() -> None:
        until = time.perf_counter() + seconds
        await asyncio.gather(*(agent(s, rng.randrange(1 << 30), until) for s in setup["sessions"]))

    asyncio.run(main())
    Path(out).write_text(
        json.dumps({"samples": samples, "errors": errors, "retried": retried, "resent_broken": resent_broken})
    )


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactpunt.config.settings")
    import django

    django.setup()


def role_count(accepted_file: str) -> None:
    """Count how often each accepted external id is stored; print lost and doubled as JSON."""
    from django.db.models import Count

    from contactpunt.contacts.models import Contact

    accepted = set(json.loads(Path(accepted_file).read_text())["accepted"])
    stored: dict[str, int] = {}
    rows = Contact.objects.filter(source="bench", external_id__isnull=False).exclude(external_id__startswith="seed-")
    for external_id, n in rows.values_list("external_id").annotate(n=Count("id")).values_list("external_id", "n"):
        stored[external_id] = n
    lost = [e for e in accepted if e not in stored]
    doubled = [e for e, n in stored.items() if n > 1]
    unasked = [e for e in stored if e not in accepted]  # stored although the answer was an error
    print(json.dumps({"stored": len(stored), "lost": len(lost), "doubled": len(doubled), "unasked": len(unasked)}))


# -- the orchestrator ---------------------------------------------------------------------------


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def run(args: argparse.Namespace) -> dict[str, Any]:
    name = args.pg_url.rsplit("/", 1)[1]
    admin = with_database(args.pg_url, "postgres")
    psql(admin, f"DROP DATABASE IF EXISTS {name}")
    psql(admin, f"CREATE DATABASE {name}")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "contactpunt.config.settings",
        "DATABASE_URL": args.pg_url,
        "REDIS_URL": args.redis_url,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-load-secret-key-that-is-long-enough-for-django"),
        "SECURE_COOKIES": "false",  # plain HTTP on the loopback
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
        "CONTACTPUNT_DATA_DIR": str(Path(args.out_dir) / "data"),
    }
    work = Path(args.out_dir)
    work.mkdir(parents=True, exist_ok=True)
    prepared = work / "prepared.json"
    out = subprocess.run(
        [PY, __file__, "--role", "prepare", str(args.agents)], check=False, env=env, capture_output=True, text=True
    )
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    prepared.write_text(out.stdout.strip().splitlines()[-1])
    psql(args.pg_url, "ANALYZE")
    token = json.loads(prepared.read_text())["token"]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # Served as in production (README): `contactpunt up --no-demo --no-worker --workers N`, uvicorn under the
    # product's own settings (the web processes' health-check timeout among them).
    server_command = [PY, "-m", "contactpunt.cli", "up", "--no-demo", "--no-worker", "--workers", str(args.workers)]
    server_command += ["--host", "127.0.0.1", "--port", str(port)]
    log = (work / "server.log").open("wb")
    processes = [subprocess.Popen(server_command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)]
    if not args.no_worker:
        worker = [PY, "-m", "contactpunt.cli", "worker", "--worker-id", f"bench-load-{port}"]
        worker_log = (work / "worker.log").open("wb")
        processes.append(subprocess.Popen(worker, env=env, cwd=ROOT, stdout=worker_log, stderr=subprocess.STDOUT))
    seconds = args.minutes * 60
    loads = []
    try:
        wait_for(url)
        arrivals_out, agents_out = work / "arrivals.json", work / "agents.json"
        clients = [
            subprocess.Popen(
                [
                    PY,
                    __file__,
                    "--role",
                    "arrivals",
                    url,
                    token,
                    str(args.rate),
                    str(seconds),
                    str(arrivals_out),
                    str(args.in_flight),
                    str(args.batch),
                ],
                env=env,
            ),
            subprocess.Popen(
                [PY, __file__, "--role", "agents", url, str(prepared), str(args.think), str(seconds), str(agents_out)],
                env=env,
            ),
        ]
        analysed_at = time.monotonic()
        while any(client.poll() is None for client in clients):
            time.sleep(min(30.0, seconds / 4))
            loads.append(load_average())
            if time.monotonic() - analysed_at >= ANALYZE_EVERY_S:
                psql(args.pg_url, "ANALYZE")  # as autovacuum does on a production server (see the docstring)
                analysed_at = time.monotonic()
        if any(client.returncode for client in clients):
            raise RuntimeError("a client process failed")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
    counted = subprocess.run(
        [PY, __file__, "--role", "count", str(arrivals_out)], check=False, env=env, capture_output=True, text=True
    )
    if counted.returncode:
        raise RuntimeError(counted.stderr[-3000:])
    store = json.loads(counted.stdout.strip().splitlines()[-1])
    arrivals = json.loads(arrivals_out.read_text())
    agents = json.loads(agents_out.read_text())
    every_page = [ms for values in agents["samples"].values() for ms in values]
    return {
        "minutes": args.minutes,
        "agents": args.agents,
        "server_workers": args.workers,
        "offered_rate": args.rate,
        "contacts_a_call": args.batch,
        "achieved_rate": arrivals["sent"] / arrivals["sent_for_s"] if arrivals["sent_for_s"] else 0.0,
        "answered_rate": len(arrivals["accepted"]) / arrivals["elapsed_s"] if arrivals["elapsed_s"] else 0.0,
        "contacts_sent": arrivals["sent"],
        "contacts_accepted": len(arrivals["accepted"]),
        "sends_more_than_1s_late": arrivals["late_1s"],
        "api_resent_after_503_or_broken_connection": arrivals["retried"],
        "api_errors": len(arrivals["errors"]),
        "first_api_error": arrivals["errors"][0] if arrivals["errors"] else "",
        "agent_requests": len(every_page),
        "agent_errors": len(agents["errors"]),
        "agent_pages_resent_after_503": agents["retried"],
        "agent_pages_resent_on_a_closed_connection": agents["resent_broken"],
        "first_agent_error": agents["errors"][0] if agents["errors"] else "",
        **{f"contacts_{key}": value for key, value in store.items()},
        "pages": {
            page: {"n": len(v), "p50_ms": percentile(v, 0.5), "p95_ms": percentile(v, 0.95)}
            for page, v in sorted(agents["samples"].items())
        },
        "all_pages_p95_ms": percentile(every_page, 0.95) if every_page else 0.0,
        "load_average_1_5_15": loads,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--role", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--short", action="store_true", help="one minute")
    parser.add_argument("--rate", type=float, default=200.0, help="contacts a second offered to the API")
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument(
        "--in-flight", type=int, default=64, help="API calls open at most at once (an integration's pool)"
    )
    parser.add_argument(
        "--batch", type=int, default=1, help="contacts a call: 1 is the single API, more go through the bulk API"
    )
    parser.add_argument("--think", type=float, default=5.0, help="mean seconds between one agent's actions")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--no-worker", action="store_true", help="do not run `contactpunt worker` beside the server")
    parser.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/cp_bench_load")
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"))
    parser.add_argument(
        "--out-dir",
        default="/tmp/cp_bench_load",  # noqa: S108 (logs of a benchmark)
        help="logs and raw results",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.role:
        role, *rest = args.role
        if role in {"prepare", "count"}:
            django_setup()
        roles: dict[str, Any] = {"prepare": role_prepare, "arrivals": role_arrivals, "agents": role_agents}
        roles["count"] = role_count
        roles[role](*rest)
        return
    if args.short:
        args.minutes = 1.0
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"{args.minutes:g} min, {args.agents} agents every {args.think:g} s, {args.workers} server processes; "
        f"load average during the run (1/5/15 min): {', '.join(result['load_average_1_5_15'])}"
    )
    path = "POST /api/v1/contacts" if args.batch == 1 else f"POST /api/v1/contacts/bulk, {args.batch} a call"
    print(
        f"arrivals ({path}): "
        f"offered {args.rate:g}/s, achieved {result['achieved_rate']:.1f}/s sent, "
        f"{result['answered_rate']:.1f}/s answered; {result['contacts_sent']} sent, "
        f"{result['contacts_accepted']} accepted, {result['api_errors']} errors "
        f"({result['api_resent_after_503_or_broken_connection']} sends repeated after a 503 or a broken connection); "
        f"stored {result['contacts_stored']}, lost {result['contacts_lost']}, doubled {result['contacts_doubled']}"
    )
    print(
        f"agents: {result['agent_requests']} requests, {result['agent_errors']} errors "
        f"({result['agent_pages_resent_after_503']} pages sent again after a 503, "
        f"{result['agent_pages_resent_on_a_closed_connection']} GETs on a kept-alive connection the server had closed)"
    )
    for page, figures in result["pages"].items():
        print(f"  {page:<8} n={figures['n']:<6} p50 {figures['p50_ms']:7.1f} ms   p95 {figures['p95_ms']:7.1f} ms")
    print(f"  all pages p95 {result['all_pages_p95_ms']:.1f} ms")
    for key in ("first_api_error", "first_agent_error"):
        if result[key]:
            print(f"{key.replace('_', ' ')}: {result[key]}")


if __name__ == "__main__":
    main()
