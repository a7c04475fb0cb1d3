"""Outside services offline: stubbed hosts answer aiohttp, httpx and requests over HTTP and
real TLS, with no client patched; anything else stays refused, naming how to stub it."""

import asyncio
import os
from pathlib import Path

import aiohttp
import httpx
import pytest
import requests

import simnet
from simnet.outside.stubs import Stubs, StubsError
from simnet.sandbox.offline import OfflineViolation

STUBS = """
[hosts."api.example.com"]
routes = [
    { method = "GET", path = "/briefs", json = [{ id = 1, prompt = "hi" }] },
    { path = "/health", body = "ok", headers = { "content-type" = "text/plain" } },
    { path = "/files/*", body_file = "brief.txt" },
]

[hosts."scores.example.com"]
app = "tests.specimens.outside_fake:app"
"""


@pytest.fixture
def stubs_file(tmp_path):
    (tmp_path / "brief.txt").write_text("a brief")
    path = tmp_path / "outside.toml"
    path.write_text(STUBS)
    return path


async def _aiohttp_get(url):
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_each_client_reaches_a_stubbed_host_as_it_would_the_real_one(stubs_file, scheme):
    with simnet.Simnet(outside=stubs_file):
        url = f"{scheme}://api.example.com/briefs"
        status, text = asyncio.run(_aiohttp_get(url))
        assert (status, text) == (200, '[{"id": 1, "prompt": "hi"}]')
        assert httpx.get(url).json() == [{"id": 1, "prompt": "hi"}]
        assert requests.get(url, timeout=5).json() == [{"id": 1, "prompt": "hi"}]
        assert httpx.get(f"{scheme}://api.example.com/files/x").text == "a brief"
        assert asyncio.run(_httpx_async_get(url)) == [{"id": 1, "prompt": "hi"}]


async def _httpx_async_get(url):
    # httpx's async transport connects through anyio, which takes only the address from a
    # lookup and keeps the port it asked for (443): the stub must answer on that port
    async with httpx.AsyncClient() as client:
        return (await client.get(url)).json()


def test_without_the_stub_each_client_is_refused_with_the_way_to_stub_it():
    with simnet.Simnet():
        with pytest.raises(requests.ConnectionError, match="stub it"):
            requests.get("https://api.example.com/briefs", timeout=5)
        with pytest.raises(httpx.ConnectError):
            httpx.get("https://api.example.com/briefs")
        with pytest.raises((aiohttp.ClientError, OfflineViolation)):
            asyncio.run(_aiohttp_get("https://api.example.com/briefs"))
    message = "a DNS lookup of 'api.example.com'"
    assert any(message in v and '[hosts."api.example.com"]' in v for v in _violations())


def _violations():
    from simnet.sandbox.offline import GUARD

    return GUARD.violations


def test_a_stateful_fake_is_any_asgi_app(stubs_file):
    with simnet.Simnet(outside=stubs_file):
        stored = httpx.post("https://scores.example.com/scores", json={"uid": 3, "score": 0.5})
        assert (stored.status_code, stored.json()) == (201, {"stored": 1})
        assert requests.get("https://scores.example.com/scores", timeout=5).json() == [
            {"uid": 3, "score": 0.5}
        ]


def test_a_request_no_route_answers_is_a_404_naming_the_routes(stubs_file):
    with simnet.Simnet(outside=stubs_file):
        missing = httpx.get("https://api.example.com/tasks")
    assert missing.status_code == 404
    assert missing.text == (
        "simnet: no stub answers GET /tasks on api.example.com "
        "(its routes: GET /briefs, * /health, * /files/*)"
    )


def test_services_with_an_offline_mode_are_put_in_it_and_the_environment_restored(stubs_file):
    before = {name: os.environ.get(name) for name in ("WANDB_MODE", "SSL_CERT_FILE")}
    with simnet.Simnet(outside=stubs_file) as net:
        assert os.environ["WANDB_MODE"] == "offline"
        assert Path(os.environ["SSL_CERT_FILE"]).is_file()
        assert net.outside is not None
    assert {name: os.environ.get(name) for name in before} == before


@pytest.mark.parametrize("users", [None, "online"])
def test_every_open_network_puts_wandb_offline_stubs_or_not(monkeypatch, users):
    if users is None:
        monkeypatch.delenv("WANDB_MODE", raising=False)
    else:
        monkeypatch.setenv("WANDB_MODE", users)
    with simnet.Simnet():
        assert os.environ["WANDB_MODE"] == "offline"
    assert os.environ.get("WANDB_MODE") == users


def test_a_users_own_offline_mode_is_kept(monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "disabled")
    with simnet.Simnet():
        assert os.environ["WANDB_MODE"] == "disabled"
    assert os.environ["WANDB_MODE"] == "disabled"


def test_a_network_whose_stubs_fail_to_start_holds_nothing(stubs_file, monkeypatch):
    from simnet.outside import services
    from simnet.sandbox.offline import GUARD

    def broken(names):
        raise RuntimeError("no certificate today")

    monkeypatch.setattr(services, "_authority", broken)
    was_active = GUARD.active
    with pytest.raises(RuntimeError, match="no certificate today"):
        simnet.Simnet(outside=stubs_file).open()
    assert GUARD.active == was_active


def test_hosts_the_run_never_contacted_are_listed(stubs_file):
    with simnet.Simnet(outside=stubs_file) as net:
        httpx.get("http://api.example.com/health")
        assert net.outside.never_contacted() == ["scores.example.com"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[hosts.a\n", "outside.toml: "),
        ('[hosts."a.com"]\nroutes = []\napp = "x:y"\n', "host a.com: give either routes or app"),
        (
            '[hosts."a.com"]\nroutes = [{ body = "x" }]\n',
            "each route is a table with at least a path",
        ),
        (
            '[hosts."a.com"]\nroutes = [{ path = "/", json = 1, body = "x" }]\n',
            "gives json and body",
        ),
        ('[hosts."a.com"]\nroute = []\n', "unknown key(s) route"),
        ('[hosts."a.com"]\nroutes = []\n[hosts."a.com"]\nroutes = []\n', "outside.toml: "),
    ],
)
def test_a_stubs_file_it_cannot_use_is_one_line_naming_it(tmp_path, text, message):
    path = tmp_path / "outside.toml"
    path.write_text(text)
    with pytest.raises(StubsError, match=None) as refused:
        Stubs.load(path)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_an_app_that_does_not_import_is_named_with_its_host(tmp_path):
    path = tmp_path / "outside.toml"
    path.write_text('[hosts."a.com"]\napp = "no_such_module:app"\n')
    with pytest.raises(StubsError, match=r"stubbed host a\.com: app 'no_such_module:app' does not"):
        simnet.Simnet(outside=path)


def test_simnet_run_reaches_stubbed_hosts_with_no_change_to_the_neuron(tmp_path):
    import subprocess
    import sys

    from simnet.chain.state import ChainState

    state = ChainState(tmp_path / "chain.sqlite")
    state.register(1, "validator", "ck", stake=1000, validator_permit=True)
    state.close()
    stubs = tmp_path / "outside.toml"
    stubs.write_text(
        '[hosts."api.example.com"]\n'
        'routes = [{ path = "/briefs", json = ["b1", "b2"] },'
        ' { method = "POST", path = "/report", status = 202 }]\n'
        '[hosts."unused.example.com"]\nroutes = [{ path = "/" }]\n'
    )
    script = Path(__file__).parent / "specimens" / "fetching_validator.py"
    command = [sys.executable, "-m", "simnet", "run", "--state", str(tmp_path / "chain.sqlite")]
    done = subprocess.run(
        [*command, "--outside", str(stubs), "--", "python", str(script)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["briefs ['b1', 'b2'] for 1 neurons", "reported 202"]
    assert "simnet: outside services stubbed: api.example.com, unused.example.com" in done.stderr
    assert "WANDB_MODE=offline" in done.stderr
    assert "simnet: note: the stubbed host unused.example.com was never contacted" in done.stderr

    bad = stubs.with_name("bad.toml")
    bad.write_text("[hosts.x\n")
    refused = subprocess.run(
        [*command, "--outside", str(bad), "--", "python", str(script)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert refused.returncode == 2
    assert refused.stderr.startswith(f"simnet run: {bad}: ")
    assert len(refused.stderr.strip().splitlines()) == 1


def test_the_plugin_takes_the_stubs_from_the_ini_or_the_marker(pytester, stubs_file):
    pytester.makeini(
        f"[pytest]\nasyncio_default_fixture_loop_scope = function\nsimnet_outside = {stubs_file}\n"
    )
    pytester.makepyfile(
        f"""
import httpx
import pytest

def test_from_the_ini(simnet):
    assert httpx.get("https://api.example.com/health").text == "ok"

@pytest.mark.simnet(outside=None)
def test_switched_off(simnet):
    assert simnet.outside is None

@pytest.mark.simnet(outside={str(stubs_file)!r})
def test_from_the_marker(simnet):
    assert httpx.get("http://api.example.com/briefs").json() == [{{"id": 1, "prompt": "hi"}}]
"""
    )
    result = pytester.runpytest_inprocess("-p", "no:randomly")
    result.assert_outcomes(passed=3)


def test_simnet_run_processes_of_a_test_get_its_stubs(pytester):
    (pytester.path / "outside.toml").write_text(
        '[hosts."api.example.com"]\nroutes = [{ path = "/health", body = "ok" }]\n'
    )
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\nsimnet_outside = outside.toml\n"
    )
    script = pytester.path / "fetch.py"
    script.write_text(
        "import requests\nprint(requests.get('https://api.example.com/health', timeout=5).text)\n"
    )
    pytester.makepyfile(
        """
def test_a_process_reaches_the_stub(simnet_run):
    process = simnet_run("python", "fetch.py")
    assert process.process.wait(timeout=120) == 0
    assert "ok" in process.output.splitlines()
"""
    )
    result = pytester.runpytest_inprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1)


RECORDED_NEURON = """
import pathlib, sys
import requests
import simnet

# the outside API, as it answers online (played here by a stub, outside simnet record)
with simnet.Simnet(outside=pathlib.Path(sys.argv[1])):
    briefs = requests.get(
        "https://api.example.com/briefs?token=s3cret", headers={"Authorization": "Bearer s3cret"}
    )
    print(briefs.json())
"""


def test_a_recorded_neuron_replays_offline_with_no_secret_in_the_cassette(tmp_path, stubs_file):
    import subprocess
    import sys

    from simnet.chain.state import ChainState

    script = tmp_path / "fetching_validator.py"
    script.write_text(RECORDED_NEURON)
    cassettes = tmp_path / "cassettes"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}  # the stubs' fake app
    recorded = subprocess.run(
        [sys.executable, "-m", "simnet", "record", "--cassettes", str(cassettes), "--",
         "python", str(script), str(stubs_file)],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    cassette = cassettes / "fetching_validator.yaml"
    assert f"simnet record: wrote {cassette}" in recorded.stderr
    text = cassette.read_text()
    assert "api.example.com/briefs" in text
    assert "s3cret" not in text

    state = ChainState(tmp_path / "chain.sqlite")
    state.register(1, "validator", "ck", stake=1000, validator_permit=True)
    state.close()
    replay = tmp_path / "replay"
    replay.mkdir()
    (replay / "fetching_validator.py").write_text(
        "import requests\n"
        "print(requests.get('https://api.example.com/briefs?token=other').json())\n"
        "requests.get('https://api.example.com/tasks')\n"
    )
    command = [sys.executable, "-m", "simnet", "run", "--state", str(tmp_path / "chain.sqlite")]
    replayed = subprocess.run(
        [*command, "--outside", str(cassettes), "--", "python",
         str(replay / "fetching_validator.py")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert replayed.stdout.splitlines() == ["[{'id': 1, 'prompt': 'hi'}]"]
    assert replayed.returncode == 1
    assert replayed.stderr.strip().splitlines()[-1] == (
        f"simnet run: no recorded answer for GET https://api.example.com/tasks in {cassette} "
        "(nearest recorded: GET https://api.example.com/briefs?token=SCRUBBED)"
    )

    other = tmp_path / "miner.py"  # a neuron that calls nothing outside has no cassette
    other.write_text("print('hi')\n")
    noted = subprocess.run(
        [*command, "--outside", str(cassettes), "--", "python", str(other)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert (noted.returncode, noted.stdout) == (0, "hi\n")
    assert (
        f"simnet run: note: no cassette miner.yaml for miner.py in {cassettes} "
        "(it holds fetching_validator.yaml)"
    ) in noted.stderr
