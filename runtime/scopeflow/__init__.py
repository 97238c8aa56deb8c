"""scopeflow: TensorFlow 0.6's graph API on PyTorch. `import scopeflow as tf`."""

# ruff: noqa: F401
from scopeflow import app, errors, nn, python_io, train
from scopeflow.client.config import ConfigProto, GPUOptions, GraphOptions, RunOptions
from scopeflow.client.session import InteractiveSession, Session, get_default_session
from scopeflow.client.tracing import RunMetadata
from scopeflow.framework import dtypes, tensor_shape
from scopeflow.framework.dtypes import (
    DType,
    as_dtype,
    bfloat16,
    bool,
    complex64,
    complex128,
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    qint8,
    qint16,
    qint32,
    quint8,
    quint16,
    string,
    uint8,
    uint16,
)

# The reference types (tf.float32_ref, ...): what a Variable's dtype is.
globals().update({name: value for name, value in vars(dtypes).items()
                  if name.endswith("_ref") and isinstance(value, DType)})
from scopeflow.framework.ops import (
    Graph,
    GraphKeys,
    IndexedSlices,
    IndexedSlicesValue,
    Operation,
    Tensor,
    add_to_collection,
    control_dependencies,
    convert_to_tensor,
    device,
    get_collection,
    get_collection_ref,
    get_default_graph,
    name_scope,
    op_scope,
    register_tensor_conversion_function,
    reset_default_graph,
)
from scopeflow.framework.random_seed import get_seed
from scopeflow.framework.registry import NoGradient, NotDifferentiable, RegisterGradient
from scopeflow.framework.tensor_shape import Dimension, TensorShape
from scopeflow.ops.array_ops import *
from scopeflow.ops.constant_op import *
from scopeflow.ops.control_flow_ops import *
from scopeflow.ops.data_flow_ops import FIFOQueue, QueueBase, RandomShuffleQueue
from scopeflow.ops.example_parsing_ops import *
from scopeflow.ops.gradients import *
from scopeflow.ops.init_ops import *
from scopeflow.ops.io_ops import *
from scopeflow.ops.math_ops import *
from scopeflow.ops.parsing_ops import *
from scopeflow.ops.random_ops import *
from scopeflow.ops.sparse_ops import *
from scopeflow.ops.state_ops import (
    assign,
    assign_add,
    assign_sub,
    count_up_to,
    scatter_add,
    scatter_sub,
    scatter_update,
)
from scopeflow.ops.summary_ops import *
from scopeflow.ops.variable_scope import *
from scopeflow.ops.variables import *
