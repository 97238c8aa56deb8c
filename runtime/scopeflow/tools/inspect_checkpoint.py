"""List a checkpoint's tensors: `python -m scopeflow.tools.inspect_checkpoint PATH [--all]`.

PATH is a checkpoint prefix (`model.ckpt-1000`), its `.index` file, or a directory holding a
`checkpoint` state file. Each tensor prints as `name (DT_FLOAT) [784,128]`; with `--all`
(or `--tensor_name NAME` for one) the values follow.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from scopeflow import errors
from scopeflow.train import checkpoint_bundle
from scopeflow.train.state_dict import resolve_checkpoint


def describe(reader: checkpoint_bundle.BundleReader, name: str) -> str:
    dtype = "DT_" + checkpoint_bundle.dtype_name(reader.dtype_of(name)).upper()
    shape = ",".join(str(d) for d in reader.shape_of(name))
    return f"{name} ({dtype}) [{shape}]"


def format_checkpoint(prefix: str, all_tensors: bool = False, tensor_name: str | None = None):
    """The text the tool prints, as a list of lines."""
    reader = checkpoint_bundle.BundleReader(prefix)
    names = [tensor_name] if tensor_name else sorted(reader.entries)
    lines = []
    for name in names:
        if tensor_name or all_tensors:
            lines.append(f"tensor_name:  {name}")
            lines.append(np.array2string(reader.get_tensor(name), threshold=sys.maxsize))
        else:
            lines.append(describe(reader, name))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scopeflow.tools.inspect_checkpoint")
    parser.add_argument("path", nargs="?", help="checkpoint prefix, .index file, or directory")
    parser.add_argument("--file_name", help="same as PATH (TensorFlow's flag name)")
    parser.add_argument("--tensor_name", help="print only this tensor, with its value")
    parser.add_argument("--all", "--all_tensors", dest="all", action="store_true",
                        help="print every tensor's value")
    args = parser.parse_args(argv)
    path = args.path or args.file_name
    if not path:
        parser.error("give a checkpoint PATH")
    try:
        lines = format_checkpoint(resolve_checkpoint(path), args.all, args.tensor_name)
    except errors.OpError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
