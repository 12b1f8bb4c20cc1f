"""`make run` keeps its secrets off command lines and out of files others can read (issue 14,
case 8), and the demo's signing rule is the one its banner states.

devstack's own builders run into a tmp folder: what they would hand to each process, and what
they write to .data/. Nothing is started.
"""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest

from devtools import devstack
from domain.settings import parse_projects
from runtime import config
from runtime.codec import CodecKeys

PORTS = devstack.Ports(temporal=17233, ui=18233, sage=18765, codec=18234)


@pytest.fixture
def made(tmp_path: Path) -> tuple[Path, dict[str, str], str, list[devstack.Process]]:
    data = tmp_path / ".data"
    env, admin_key = devstack.prepare(data, {}, PORTS)
    return data, env, admin_key, devstack.stack_processes(data, env, admin_key, PORTS)


def secrets_of(data: Path, env: dict[str, str], admin_key: str) -> list[str]:
    """Every secret `make run` holds: both Sage keys, the codec keys, the signing keys."""
    found = [env["SAGE_API_KEY"], admin_key]
    codec_keys = CodecKeys.load(Path(env["ERP_CODEC_KEYS_FILE"]))
    for key in codec_keys.keys.values():
        found += [key.hex(), base64.b64encode(key).decode(), base64.urlsafe_b64encode(key).decode()]
    found += [codec_keys.to_json()]
    for key_file in (data / "keys").glob("*.key"):
        found += [line for line in key_file.read_text().splitlines() if len(line) > 20]
    for line in (data / "web-passwords.txt").read_text().splitlines()[1:]:  # the page's
        found.append(line.split(" ", 1)[1])
    assert len(found) >= 6
    return found


def test_no_secret_is_on_any_command_line(made):
    data, env, admin_key, processes = made
    assert [p.what for p in processes] == [
        "the codec server",
        "the Temporal dev server",
        "the mock Sage",
        "the worker",
        "the demo's SMTP server",
        "the approvers' page",
    ]
    for process in processes:
        argv = " ".join(process.args)
        for secret in secrets_of(data, env, admin_key):
            assert secret not in argv, f"{process.what}: a secret on its command line"
        assert "--api-key" not in process.args and "--token" not in process.args


def test_the_ui_codec_endpoint_carries_no_token(made):
    _, _, _, processes = made
    temporal = next(p for p in processes if p.what == "the Temporal dev server")
    endpoint = temporal.args[temporal.args.index("--ui-codec-endpoint") + 1]
    assert endpoint == f"http://localhost:{PORTS.codec}"
    codec_server = next(p for p in processes if p.what == "the codec server")
    assert not codec_server.env.get("ERP_CODEC_TOKEN")
    assert codec_server.env["ERP_CODEC_NAMESPACES"] == "default"
    assert f"http://localhost:{PORTS.ui}" in codec_server.env["ERP_CODEC_UI_ORIGINS"].split(",")


def test_only_the_mock_is_given_the_admin_key(made):
    data, env, admin_key, processes = made
    for process in processes:
        given = admin_key in process.env.values()
        assert given == (process.what == "the mock Sage"), process.what
    assert admin_key not in (data / "demo.env").read_text()
    mock = next(p for p in processes if p.what == "the mock Sage")
    assert mock.env["SAGE_API_KEY"] == env["SAGE_API_KEY"] != admin_key


def test_every_file_written_is_0600_and_every_folder_0700(made):
    data, _, _, _ = made
    written = [path for path in data.rglob("*") if path.is_file()]
    names = {path.relative_to(data).as_posix() for path in written}
    assert {
        "demo.env",
        "projects.json",
        "codec-keys.json",
        "sage-api.key",
        "sage-admin.key",
        "sage-admin.header",
        "keys/acct.ana.key",
        "keys/pm.alex.key",
    } <= names
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.relative_to(data)
    for folder in [data, *(path for path in data.rglob("*") if path.is_dir())]:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_an_older_data_folder_is_tightened(tmp_path: Path):
    data = tmp_path / ".data"
    data.mkdir(mode=0o755)
    for name in ("demo.env", "temporal.sqlite", "worker.log"):
        (data / name).write_text("old\n")
        (data / name).chmod(0o644)
    devstack.prepare(data, {}, PORTS)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for path in data.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_a_process_log_is_0600(tmp_path: Path):
    log = tmp_path / "echo.log"
    devstack.spawn(["true"], log=log).wait()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_keys_are_kept_across_runs_and_the_environment_wins(tmp_path: Path):
    data = tmp_path / ".data"
    first, admin = devstack.prepare(data, {}, PORTS)
    again, admin_again = devstack.prepare(data, {}, PORTS)
    assert (first["SAGE_API_KEY"], admin) == (again["SAGE_API_KEY"], admin_again)
    mine, my_admin = devstack.prepare(
        data, {"SAGE_API_KEY": "mine-api", "SAGE_ADMIN_KEY": "mine-admin"}, PORTS
    )
    assert (mine["SAGE_API_KEY"], my_admin) == ("mine-api", "mine-admin")
    with pytest.raises(devstack.StackError, match="must differ"):
        devstack.prepare(data, {"SAGE_API_KEY": "same", "SAGE_ADMIN_KEY": "same"}, PORTS)


# --- the demo's signing rule ---


def test_p1001_approvers_act_unsigned_and_everyone_else_must_sign(made):
    data, _, _, _ = made
    projects = parse_projects((data / "projects.json").read_text()).projects
    assert len(projects) >= 4
    for name, project in projects.items():
        for user, entry in project.roster.items():
            exempt = name == "P-1001" and user in ("acct.ana", "acct.admin")
            assert (entry.public_key is None) == exempt, (name, user)
            assert (data / "keys" / f"{user}.key").exists()  # the starter still signs
        assert project.signing.accept_unsigned == (name == "P-1001"), name


def test_a_project_added_to_the_demo_copy_stays(tmp_path: Path):
    data = tmp_path / ".data"
    devstack.prepare(data, {}, PORTS)
    copy = json.loads((data / "projects.json").read_text())
    copy["projects"]["P-3001"] = {**copy["projects"]["P-1001"], "project": "P-3001"}
    (data / "projects.json").write_text(json.dumps(copy))
    devstack.prepare(data, {}, PORTS)
    assert "P-3001" in json.loads((data / "projects.json").read_text())["projects"]


def test_the_banner_says_what_the_demo_does():
    text = " ".join(devstack.banner(PORTS).split())
    assert "every command is signed" not in text
    assert "acct.ana" in text and "P-1001" in text and "signed commands only" in text
    assert "source .data/demo.env" not in text
    assert "Bearer" not in text  # the admin key is read from its file, never printed


# --- a second terminal finds the demo by itself (runtime/config.py) ---


def test_the_cli_reads_demo_env_when_the_environment_says_nothing(made):
    data, env, admin_key, _ = made
    environ = {"ERP_ENV_FILE": str(data / "demo.env")}
    assert config.apply_local_env(environ) == data / "demo.env"
    for key, value in env.items():
        assert environ[key] == value
    assert admin_key not in environ.values()


def test_the_environment_wins_over_demo_env(made):
    data, env, _, _ = made
    environ = {"ERP_ENV_FILE": str(data / "demo.env"), "ERP_PROJECTS_FILE": "mine.json"}
    config.apply_local_env(environ)
    assert environ["ERP_PROJECTS_FILE"] == "mine.json"
    assert environ["ERP_CODEC_KEYS_FILE"] == env["ERP_CODEC_KEYS_FILE"]


def test_another_temporal_address_means_another_stack(made):
    data, _, _, _ = made
    environ = {"ERP_ENV_FILE": str(data / "demo.env"), "TEMPORAL_ADDRESS": "elsewhere:7233"}
    assert config.apply_local_env(environ) is None
    assert set(environ) == {"ERP_ENV_FILE", "TEMPORAL_ADDRESS"}


def test_an_empty_erp_env_file_reads_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    demo_env = tmp_path / "demo.env"
    devstack.write_demo_env(demo_env, {"TEMPORAL_ADDRESS": "127.0.0.1:7233"})
    monkeypatch.setattr(config, "DEMO_ENV", demo_env)
    assert config.apply_local_env({"ERP_ENV_FILE": ""}) is None
    assert config.apply_local_env({}) == demo_env  # by default, the one beside the code


def test_values_are_quoted_and_read_back(tmp_path: Path):
    demo_env = tmp_path / "demo.env"
    odd = {"A": "with space", "B": "it's", "C": "$HOME;rm -rf /"}
    devstack.write_demo_env(demo_env, odd)
    assert config.read_env_file(demo_env) == odd
