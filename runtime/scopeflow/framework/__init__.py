"""The graph framework: dtypes, shapes, Graph/Operation/Tensor, the op registry."""

from scopeflow.framework import (  # noqa: F401
    dtypes,
    ops,
    overloads,
    tensor_shape,
)
from scopeflow.framework.kernel_context import KernelContext  # noqa: F401
