"""Example programs from TensorFlow 0.6's tutorials, runnable with `python -m`."""
