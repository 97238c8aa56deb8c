"""Regenerate backend/board/proto/*_pb2.py from protos/board/proto/*.proto.

    python scripts/gen_protos.py            # rewrite the committed modules
    python scripts/gen_protos.py --out DIR  # write elsewhere (the staleness test does this)

The .proto files live under protos/board/proto/ so that protoc's generated imports read
`from board.proto import x_pb2`, and our message names live in the `scopeflow.proto`
package so they never clash with TensorFlow's or TensorBoard's in one process.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROTO_ROOT = ROOT / "protos"
PROTO_DIR = PROTO_ROOT / "board" / "proto"
OUT_DIR = ROOT / "backend"


def proto_files() -> list[Path]:
    return sorted(PROTO_DIR.glob("*.proto"))


def generate(out_root: Path) -> list[Path]:
    """Run protoc (from grpcio-tools) and return the generated module paths."""
    from grpc_tools import protoc

    out_root.mkdir(parents=True, exist_ok=True)
    (out_root / "board" / "proto").mkdir(parents=True, exist_ok=True)
    args = [
        "protoc",
        f"-I{PROTO_ROOT}",
        f"--python_out={out_root}",
        f"--pyi_out={out_root}",
        *(str(p.relative_to(PROTO_ROOT)) for p in proto_files()),
    ]
    if protoc.main(args) != 0:
        raise SystemExit(f"protoc failed: {' '.join(args)}")
    return sorted((out_root / "board" / "proto").glob("*_pb2.py*"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="root to write board/proto/ under")
    args = parser.parse_args(argv)
    for path in generate(args.out):
        print(path.relative_to(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
