"""Variable scopes: get_variable creates or reuses variables named by the current scope.

The rules of TensorFlow's "Sharing Variables" guide:
- get_variable("v") in scope "foo" names the variable "foo/v"; it raises ValueError when
  "foo/v" exists and reuse is off, or does not exist and reuse is on;
- reuse is inherited by nested scopes and cannot be switched back off inside them;
- entering a captured VariableScope object jumps to its name (and its reuse, initializer),
  without changing the name scope of ops;
- a scope's initializer is the default for get_variable inside it, inherited by sub-scopes;
- a string variable_scope also opens a name scope, so ops created inside are "foo/add".
"""

from __future__ import annotations

import contextlib

from scopeflow.framework import dtypes, ops, tensor_shape
from scopeflow.ops import init_ops, variables

__all__ = [
    "VariableScope", "get_variable", "get_variable_scope", "variable_op_scope",
    "variable_scope",
]

_VARSCOPE_KEY = ("__varscope",)
_VARSTORE_KEY = ("__variable_store",)


class VariableScope:
    """A variable-scope's name, reuse flag and default initializer."""

    def __init__(self, reuse, name="", initializer=None):
        self._reuse = reuse
        self._name = name
        self._initializer = initializer

    @property
    def name(self) -> str:
        return self._name

    @property
    def reuse(self):
        return self._reuse

    @property
    def initializer(self):
        return self._initializer

    def reuse_variables(self) -> None:
        """From now on, get_variable in this scope returns existing variables."""
        self._reuse = True

    def set_initializer(self, initializer) -> None:
        self._initializer = initializer

    def get_variable(self, var_store, name, shape=None, dtype=dtypes.float32, initializer=None,
                     trainable=True, collections=None):
        full_name = f"{self._name}/{name}" if self._name else name
        if initializer is None:
            initializer = self._initializer
        with ops.name_scope(None):
            return var_store.get_variable(full_name, shape, dtype, initializer, self._reuse,
                                          trainable, collections)

    def __repr__(self) -> str:
        return f"<VariableScope name={self._name!r} reuse={self._reuse}>"


class _VariableStore:
    """The variables created by get_variable in one graph, by full name."""

    def __init__(self):
        self._vars: dict[str, variables.Variable] = {}

    def get_variable(self, name, shape, dtype, initializer, reuse, trainable, collections):
        dtype = dtypes.as_dtype(dtype)
        shape = tensor_shape.as_shape(shape)
        if name in self._vars:
            return self._existing(name, shape, dtype, reuse)
        if reuse:
            raise ValueError(
                f"Under-sharing: Variable {name} does not exist, disallowed. Did you mean to "
                "set reuse=None in VarScope?"
            )
        if not shape.is_fully_defined():
            raise ValueError(
                f"Shape of a new variable ({name}) must be fully defined, but instead was "
                f"{shape}."
            )
        if initializer is None:
            initializer = init_ops.uniform_unit_scaling_initializer()
        if callable(initializer):
            def initial_value():
                return initializer(shape.as_list(), dtype=dtype)
        else:
            def initial_value():
                return ops.convert_to_tensor(initializer, dtype=dtype)
        var = variables.Variable(initial_value, name=name, trainable=trainable,
                                 collections=collections)
        self._vars[name] = var
        return var

    def _existing(self, name, shape, dtype, reuse):
        if reuse is not None and not reuse:
            raise ValueError(
                f"Over-sharing: Variable {name} already exists, disallowed. Did you mean to "
                "set reuse=True in VarScope?"
            )
        found = self._vars[name]
        if not shape.is_compatible_with(found.get_shape()):
            raise ValueError(
                f"Trying to share variable {name}, but specified shape {shape} and found "
                f"shape {found.get_shape()}."
            )
        if not dtype.is_compatible_with(found.dtype):
            raise ValueError(
                f"Trying to share variable {name}, but specified dtype {dtype.name} and found "
                f"dtype {found.dtype.name}."
            )
        return found


def _store() -> _VariableStore:
    ref = ops.get_collection_ref(_VARSTORE_KEY)
    if not ref:
        ref.append(_VariableStore())
    return ref[0]


def get_variable_scope() -> VariableScope:
    """The current VariableScope of the default graph (the root one has name '')."""
    ref = ops.get_collection_ref(_VARSCOPE_KEY)
    if not ref:
        ref.append(VariableScope(False))
    return ref[0]


def get_variable(name, shape=None, dtype=dtypes.float32, initializer=None, trainable=True,
                 collections=None) -> variables.Variable:
    """Gets the variable `<scope>/name`, or creates it with `initializer` (see the rules)."""
    return get_variable_scope().get_variable(
        _store(), name, shape, dtype, initializer, trainable, collections)


@contextlib.contextmanager
def _pure_variable_scope(name_or_scope, reuse, initializer):
    old = get_variable_scope()
    ref = ops.get_collection_ref(_VARSCOPE_KEY)
    if isinstance(name_or_scope, VariableScope):
        new = VariableScope(name_or_scope.reuse if reuse is None else reuse,
                            name_or_scope.name, name_or_scope.initializer)
    else:
        name = f"{old.name}/{name_or_scope}" if old.name else name_or_scope
        new = VariableScope(bool(reuse or old.reuse), name, old.initializer)
    if initializer is not None:
        new.set_initializer(initializer)
    ref[0] = new
    try:
        yield new
    finally:
        ref[0] = old


@contextlib.contextmanager
def variable_scope(name_or_scope, reuse=None, initializer=None):
    """Opens a variable scope (and, for a string, a name scope of the same name)."""
    if not isinstance(name_or_scope, (VariableScope, str)):
        raise TypeError("VariableScope: name_scope must be a string or VariableScope.")
    if isinstance(name_or_scope, str):
        with ops.name_scope(name_or_scope), _pure_variable_scope(
                name_or_scope, reuse, initializer) as scope:
            yield scope
    else:
        with _pure_variable_scope(name_or_scope, reuse, initializer) as scope:
            yield scope


@contextlib.contextmanager
def variable_op_scope(values, name, default_name=None, initializer=None):
    """A variable scope named `name`, or a unique `default_name` when name is None."""
    with ops.default_graph_context(ops._graph_of(values or [])):
        if name is not None:
            with variable_scope(name, initializer=initializer) as scope:
                yield scope
            return
        with ops.name_scope(default_name) as unique, _pure_variable_scope(
                unique[:-1].rsplit("/", 1)[-1], None, initializer) as scope:
            yield scope
