"""Probes for Problem 5 (``networks/tf_networks.py``), run inside the student worker.

This is the only place TensorFlow is imported (never PyTorch, never in the test process).
The probes build the student's model from plain configuration, set its weights from NumPy
arrays, run it or one training step, and return NumPy arrays; the tests compare them with
the NumPy oracles. No expected values live here.
"""

from __future__ import annotations

import importlib

import numpy as np
import tensorflow as tf

DTYPES = {"float32": tf.float32, "float64": tf.float64}


def _student():
    return importlib.import_module("tf_networks")


def _numpy(value):
    if isinstance(value, (tf.Tensor, tf.Variable)):
        return value.numpy()
    if isinstance(value, (tuple, list)):
        return type(value)(_numpy(v) for v in value)
    return value


def _dtype_name(value):
    if isinstance(value, (tf.Tensor, tf.Variable)):
        return value.dtype.name
    if isinstance(value, (tuple, list)):
        return [_dtype_name(v) for v in value]
    return type(value).__name__


def _layers_of(model) -> list:
    hidden = getattr(model, "hidden_layers", None)
    output = getattr(model, "output_layer", None)
    if hidden is None or output is None:
        raise AttributeError("TFMLP needs the attributes hidden_layers (a list of Dense) and output_layer (a Dense)")
    return list(hidden) + [output]


def _build_mlp(output_dim: int, hidden_dims: list, activation: str, layers: list, x: np.ndarray, seed: int):
    tf.keras.utils.set_random_seed(seed)
    model = _student().TFMLP(output_dim, tuple(hidden_dims), activation)
    model(tf.constant(x, dtype=tf.float32))  # Keras builds the layers on the first call
    dense = _layers_of(model)
    if len(dense) != len(layers):
        raise ValueError(f"TFMLP has {len(dense)} Dense layers (hidden_layers + output_layer); "
                         f"expected {len(layers)} for hidden_dims={tuple(hidden_dims)}")
    for layer, (kernel, bias) in zip(dense, layers):
        layer.set_weights([np.asarray(kernel, np.float32), np.asarray(bias, np.float32)])
    return model, dense


def _staff_mlp(output_dim: int, hidden_dims: list, activation: str, layers: list, x: np.ndarray, seed: int):
    """A plain Keras MLP with the given weights: what ``make_train_step`` is tested on, so that its
    credit does not depend on the student's ``TFMLP`` (which has tests of its own)."""
    tf.keras.utils.set_random_seed(seed)
    dense = [tf.keras.layers.Dense(units, activation=activation) for units in hidden_dims]
    dense.append(tf.keras.layers.Dense(output_dim))
    model = tf.keras.Sequential(dense)
    model(tf.constant(x, dtype=tf.float32))
    for layer, (kernel, bias) in zip(dense, layers):
        layer.set_weights([np.asarray(kernel, np.float32), np.asarray(bias, np.float32)])
    return model, dense


def describe_mlp(output_dim: int, hidden_dims: list, activation: str, input_dim: int) -> dict:
    """Structure of a freshly built ``TFMLP``: base class, layer types, variable shapes."""
    tf.keras.utils.set_random_seed(0)
    model = _student().TFMLP(output_dim, tuple(hidden_dims), activation)
    model(tf.zeros((2, input_dim), tf.float32))
    dense = _layers_of(model)
    return {
        "is_keras_model": isinstance(model, tf.keras.Model),
        "layer_types": [type(layer).__name__ for layer in dense],
        "units": [int(layer.units) if hasattr(layer, "units") else None for layer in dense],
        "weight_shapes": [[tuple(w.shape) for w in layer.get_weights()] for layer in dense],
        "n_trainable": int(sum(int(np.prod(v.shape)) for v in model.trainable_variables)),
    }


def mlp_forward(output_dim: int, hidden_dims: list, activation: str, layers: list, x: np.ndarray,
                seed: int = 0) -> dict:
    """Set ``layers`` (kernel (in, out), bias) into the student's ``TFMLP`` and run it on ``x``."""
    model, _ = _build_mlp(output_dim, hidden_dims, activation, layers, x, seed)
    out = model(tf.constant(x, dtype=tf.float32))
    return {"outputs": _numpy(out), "dtype": _dtype_name(out)}


def train_steps(output_dim: int, hidden_dims: list, activation: str, layers: list, x: np.ndarray, y: np.ndarray,
                loss: str, optimizer: dict, n_steps: int = 1, seed: int = 0) -> dict:
    """Run the student's ``make_train_step`` ``n_steps`` times on ``(x, y)`` with a staff Keras MLP."""
    model, dense = _staff_mlp(output_dim, hidden_dims, activation, layers, x, seed)
    if loss == "sparse_ce":
        loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    elif loss == "mse":
        loss_fn = tf.keras.losses.MeanSquaredError()
    else:
        raise ValueError(f"unknown loss {loss!r}")
    if optimizer["kind"] == "sgd":
        opt = tf.keras.optimizers.SGD(learning_rate=optimizer["lr"])
    elif optimizer["kind"] == "adam":
        opt = tf.keras.optimizers.Adam(learning_rate=optimizer["lr"])
    else:
        raise ValueError(f"unknown optimizer {optimizer['kind']!r}")
    step = _student().make_train_step(model, loss_fn, opt)
    x_t = tf.constant(x, dtype=tf.float32)
    y = np.asarray(y)
    y_t = tf.constant(y.astype(np.float32) if y.dtype.kind == "f" else y)
    losses = []
    for _ in range(n_steps):
        value = step(x_t, y_t)
        losses.append(np.asarray(value.numpy(), dtype=np.float64) if isinstance(value, tf.Tensor) else value)
    return {
        "is_tf_function": isinstance(step, tf.types.experimental.GenericFunction),
        "losses": losses,
        "layers": [[w for w in layer.get_weights()] for layer in dense],
        "optimizer_iterations": int(opt.iterations.numpy()),
    }


def attention(query, key, value, mask=None, dtype: str = "float32", in_tf_function: bool = False) -> dict:
    """Call the student's ``tf_scaled_dot_product_attention`` (optionally inside a ``tf.function``)."""
    tf_dtype = DTYPES[dtype]
    q, k, v = (tf.constant(np.asarray(a, np.float64), dtype=tf_dtype) for a in (query, key, value))
    m = None if mask is None else tf.constant(np.asarray(mask, dtype=bool))
    fn = _student().tf_scaled_dot_product_attention
    if in_tf_function:
        fn = tf.function(fn)
    outputs = fn(q, k, v, m) if m is not None else fn(q, k, v)
    return {"outputs": _numpy(outputs), "dtypes": _dtype_name(outputs)}
