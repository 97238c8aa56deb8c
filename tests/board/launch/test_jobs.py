"""board.launch.jobs and board.launch.config: parameter schemas, argv building, config files."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from board.first_run import has_event_files, start_if_empty
from board.launch.config import load_registry
from board.launch.errors import ConfigError, InvalidParamError, UnknownJobError
from board.launch.jobs import Job, Param, builtin_jobs
from board.launch.supervisor import Supervisor

ROOT = Path(__file__).resolve().parents[3]
TINY_JOBS = Path(__file__).with_name("tiny_jobs.toml")


@pytest.mark.parametrize("param, given, expected", [
    (Param("n", "int", 1), "12", 12),
    (Param("n", "int", 1), 3.0, 3),
    (Param("x", "float", 1.0), 2, 2.0),
    (Param("x", "float", 1.0), "1e-3", 0.001),
    (Param("b", "bool", False), "true", True),
    (Param("c", "choice", "a", choices=("a", "b")), "b", "b"),
    (Param("c", "choice", 50, choices=(50, 100)), "100", 100),
    (Param("s", "str", ""), "$HOME *", "$HOME *"),
])
def test_values_are_converted_to_the_parameter_type(param, given, expected):
    value = param.check(given)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("param, given, message", [
    (Param("steps", "int", 1), True, "'steps' must be an integer"),
    (Param("steps", "int", 1), "ten", "'steps' must be an integer"),
    (Param("steps", "int", 1), 1.5, "'steps' must be an integer"),
    (Param("steps", "int", 5, min=1, max=10), 11, "'steps' must be <= 10"),
    (Param("lr", "float", 0.1, min=0.0), -1, "'lr' must be >= 0.0"),
    (Param("lr", "float", 0.1), "nan", "'lr' must be a finite number"),
    (Param("on", "bool", False), 1, "'on' must be true or false"),
    (Param("set", "choice", "a", choices=("a", "b")), "c", "'set' must be one of a, b"),
    (Param("name", "str", ""), 3, "'name' must be a string"),
    (Param("name", "str", ""), "a\0b", "'name' must be at most"),
])
def test_bad_values_are_rejected_naming_the_parameter(param, given, message):
    with pytest.raises(InvalidParamError, match=re.escape(message)):
        param.check(given)


@pytest.mark.parametrize("make, message", [
    (lambda: Param("n", "int", 20, max=10), "default: parameter 'n' must be <= 10"),
    (lambda: Param("n", "integer", 1), "type must be one of"),
    (lambda: Param("run_dir", "str", ""), "bad parameter name 'run_dir'"),
    (lambda: Param("c", "choice", "a"), "needs a non-empty list of choices"),
    (lambda: Param("s", "str", "", min=1), "min needs a number"),
    (lambda: Job("j", "J", "", ("prog", "{nope}")), "uses {nope}"),
    (lambda: Job("j", "J", "", ()), "argv must not be empty"),
    (lambda: Job("a b", "J", "", ("prog",)), "bad job name"),
])
def test_bad_definitions_fail_when_made(make, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make()


def test_argv_substitutes_placeholders_inside_elements_and_nothing_else(tmp_path):
    job = Job("j", "J", "", ("{python}", "--lr={lr}", "{run_dir}/x", "$HOME", "{on}", "~", "*"),
              (Param("lr", "float", 0.1), Param("on", "bool", False)))
    values = job.check_params({"lr": "0.5"})
    assert values == {"lr": 0.5, "on": False}
    assert job.argv(values, tmp_path) == [
        sys.executable, "--lr=0.5", f"{tmp_path}/x", "$HOME", "false", "~", "*"]


def test_unknown_parameters_are_rejected_naming_them():
    with pytest.raises(InvalidParamError, match=r"unknown parameter 'lr_rate' for job 'mnist' "
                                                r"\(parameters: max_steps, learning_rate"):
        builtin_jobs().get("mnist").check_params({"lr_rate": 1})


def test_unknown_job_names_the_known_ones():
    with pytest.raises(UnknownJobError, match=r"unknown job 'nope' \(known jobs: mnist\)"):
        builtin_jobs().get("nope")


def test_mnist_passes_only_flags_the_example_defines(tmp_path):
    job = builtin_jobs().get("mnist")
    argv = job.argv(job.check_params({}), tmp_path)
    script = (ROOT / "runtime/scopeflow/examples/mnist/fully_connected_feed.py").read_text()
    defined = set(re.findall(r'DEFINE_\w+\(\s*"(\w+)"', script))
    passed = {arg[2:] for arg in argv if arg.startswith("--")}
    assert passed and passed <= defined
    assert argv[argv.index("--train_dir") + 1] == str(tmp_path)
    assert argv[argv.index("--dataset") + 1] == "auto"


def test_toml_config_adds_jobs_after_the_builtins():
    registry = load_registry(TINY_JOBS)
    assert registry.names() == ["mnist", "write", "sleep", "stubborn"]
    write = registry.get("write")
    assert write.cwd == TINY_JOBS.parent
    assert write.describe()["params"][0] == {
        "name": "exit_code", "type": "int", "default": 0, "min": 0, "max": 255,
        "help": "the status to exit with"}


def test_json_config_with_cwd_and_env(tmp_path):
    (tmp_path / "work").mkdir()
    config = tmp_path / "jobs.json"
    config.write_text(json.dumps({"jobs": [{
        "name": "j", "argv": ["prog", "{size}"], "cwd": "work", "env": {"DATA": "/d"},
        "params": [{"name": "size", "type": "choice", "default": "s", "choices": ["s", "m"]}],
    }]}))
    job = load_registry(config).get("j")
    assert (job.cwd, dict(job.env), job.title) == (tmp_path / "work", {"DATA": "/d"}, "j")
    assert job.argv(job.check_params({"size": "m"}), tmp_path) == ["prog", "m"]


BAD_DEFAULT = "[[jobs]]\nname = 'a'\nargv = ['p']\n[[jobs.params]]\nname = 'n'\ntype = 'int'\n" \
              "default = 'x'\n"


@pytest.mark.parametrize("text, message", [
    ("[[jobs]]\nname = 'a'\n", "jobs[0] ('a'): missing key 'argv'"),
    ("[[jobs]]\nname = 'a'\nargv = 'prog --x'\n", "jobs[0] ('a'): argv must be a list of str"),
    ("[[jobs]]\nname = 'a'\nargv = ['p']\nshell = true\n", "jobs[0] ('a'): unknown key 'shell'"),
    ("[[jobs]]\nname = 'mnist'\nargv = ['p']\n", "jobs[0]: job name 'mnist' is already taken"),
    ("[[jobs]]\nname = 'a'\nargv = ['p']\ncwd = 'missing'\n", "cwd"),
    ("[[jobs]]\nname = 'a'\nargv = ['p', '{n}']\n", "uses {n}"),
    (BAD_DEFAULT, "jobs[0] ('a'): params[0] ('n'): default: parameter 'n' must be an int"),
    ("jobs = 3\n", "expected a list of jobs"),
    ("[[jobs]\n", "not valid TOML"),
])
def test_config_errors_name_the_file_and_the_entry(tmp_path, text, message):
    config = tmp_path / "bad.toml"
    config.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_registry(config)
    assert str(err.value).startswith(str(config)) and message in str(err.value)


def test_missing_config_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot be read"):
        load_registry(tmp_path / "none.toml")


def test_first_run_launches_a_job_from_the_registry(tmp_path):
    supervisor = Supervisor(tmp_path, load_registry(TINY_JOBS))
    try:
        launch = start_if_empty(supervisor, "write")
        assert supervisor.wait(launch["id"], timeout=30)["status"] == "finished"
    finally:
        supervisor.stop_board_launches()
        supervisor.close()
    assert has_event_files(tmp_path / "write")
    assert "message: wrote the run" in supervisor.read_log(launch["id"])["text"]
