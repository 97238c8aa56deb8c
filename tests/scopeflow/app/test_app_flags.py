"""tf.app.flags and tf.app.run, as the tutorial scripts use them (in a real subprocess)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from scopeflow.app import flags

SCRIPT = textwrap.dedent("""
    import scopeflow as tf

    flags = tf.app.flags
    FLAGS = flags.FLAGS
    flags.DEFINE_float("learning_rate", 0.01, "Initial learning rate.")
    flags.DEFINE_integer("max_steps", 2000, "Number of steps.")
    flags.DEFINE_string("train_dir", "data", "Where to write.")
    flags.DEFINE_boolean("fake_data", False, "Use fake data.")

    def main(argv):
        print(FLAGS.learning_rate, FLAGS.max_steps, FLAGS.train_dir, FLAGS.fake_data, argv[1:])
        return 3

    if __name__ == "__main__":
        tf.app.run()
""")


def _run_script(tmp_path, *args):
    path = tmp_path / "script.py"
    path.write_text(SCRIPT)
    return subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True,
                          timeout=120, check=False)


def test_run_parses_flags_and_exits_with_mains_result(tmp_path):
    result = _run_script(tmp_path, "--learning_rate=0.5", "--max_steps", "7", "--fake_data",
                         "extra")
    assert result.returncode == 3, result.stderr
    assert result.stdout.split("\n")[0] == "0.5 7 data True ['extra']"


def test_defaults_negated_boolean_and_bad_value(monkeypatch, capsys):
    flags.DEFINE_integer("zz_steps", 2000, "steps")
    flags.DEFINE_boolean("zz_fake", True, "fake")
    flags.DEFINE_string("zz_dir", "data", "dir")
    flags.FLAGS._parse_flags(["--nozz_fake", "--zz_dir=/tmp/x"])
    assert (flags.FLAGS.zz_steps, flags.FLAGS.zz_fake, flags.FLAGS.zz_dir) == (
        2000, False, "/tmp/x")
    with pytest.raises(SystemExit) as info:
        flags.FLAGS._parse_flags(["--zz_steps=lots"])
    assert info.value.code == 2
    assert "--zz_steps" in capsys.readouterr().err
    flags.FLAGS._reset()


def test_flags_parse_lazily_and_accept_assignment(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["prog", "--zz_rate=2.5"])
    flags.DEFINE_float("zz_rate", 1.0, "a rate")
    flags.DEFINE_boolean("zz_on", True, "a switch")
    flags.FLAGS._reset()
    assert flags.FLAGS.zz_rate == 2.5  # read from sys.argv on first access
    assert flags.FLAGS.zz_on is True
    flags.FLAGS.zz_rate = 9.0
    assert flags.FLAGS.zz_rate == 9.0
    assert "zz_rate" in flags.FLAGS
    with pytest.raises(AttributeError, match="no flag named 'zz_missing'"):
        _ = flags.FLAGS.zz_missing
    assert flags.FLAGS._parse_flags(["--zz_on=false", "rest"]) == ["rest"]
    assert flags.FLAGS.zz_on is False
    flags.FLAGS._reset()
