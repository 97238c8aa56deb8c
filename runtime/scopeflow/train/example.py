"""tf.train.Example and its parts: the generated protos of board.proto.example_pb2.

One definition of the wire format serves the runtime (writing and parsing Examples) and the
board; the protos live in our own proto package, so they never clash with TensorFlow's.
"""

from board.proto.example_pb2 import (
    BytesList,
    Example,
    Feature,
    FeatureList,
    FeatureLists,
    Features,
    FloatList,
    Int64List,
    SequenceExample,
)

__all__ = [
    "BytesList", "Example", "Feature", "FeatureList", "FeatureLists", "Features", "FloatList",
    "Int64List", "SequenceExample",
]
