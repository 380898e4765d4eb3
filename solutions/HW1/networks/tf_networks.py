"""Problem 5 (10 points): the same ideas in TensorFlow.

An MLP as a subclassed Keras model, scaled dot-product attention with TensorFlow ops, and
the training step of the TensorFlow quickstart (``tf.GradientTape`` inside a
``tf.function``). Use TensorFlow only: this file must not import PyTorch.

Masks are boolean with **True where attention is allowed**, as in the PyTorch part and in
Keras (``tf.keras.layers.MultiHeadAttention``'s ``attention_mask``). Careful: the helper in
the TensorFlow Transformer tutorial uses the *opposite* polarity (its mask is 1 where a
position is blocked and it adds ``mask * -1e9`` to the scores), so do not copy it unchanged.
"""

import math

import tensorflow as tf


class TFMLP(tf.keras.Model):
    """A multi-layer perceptron as a subclassed ``tf.keras.Model``.

    Parameters
    ----------
    output_dim : int
        Units of the output layer (no activation: raw outputs / logits).
    hidden_dims : sequence of int, default (64, 64)
        Units of each hidden ``Dense`` layer, in order.
    activation : str or callable, default "relu"
        Activation of every hidden layer (passed to ``tf.keras.layers.Dense``).

    Attributes
    ----------
    hidden_layers : list of tf.keras.layers.Dense
        ``Dense(h, activation=activation)`` for each ``h`` in ``hidden_dims``.
    output_layer : tf.keras.layers.Dense
        ``Dense(output_dim)``.

    ``call(x)`` maps a float32 tensor ``(B, input_dim)`` to ``(B, output_dim)``; the input size
    is inferred on the first call (Keras builds the layers lazily). Each Dense layer keeps
    Keras' layout: ``kernel`` ``(in, out)`` and ``bias`` ``(out,)``, output ``x @ kernel + bias``.
    """

    def __init__(self, output_dim, hidden_dims=(64, 64), activation="relu"):
        super().__init__()
        # BEGIN SOLUTION
        self.hidden_layers = [tf.keras.layers.Dense(width, activation=activation) for width in hidden_dims]
        self.output_layer = tf.keras.layers.Dense(output_dim)
        # END SOLUTION

    def call(self, x, training=False):
        """``x``: ``(B, input_dim)`` -> ``(B, output_dim)``."""
        # BEGIN SOLUTION
        for layer in self.hidden_layers:
            x = layer(x)
        return self.output_layer(x)
        # END SOLUTION


def tf_scaled_dot_product_attention(query, key, value, mask=None):
    """Scaled dot-product attention with TensorFlow ops: ``A(Q, K, V) = softmax(QK^T / sqrt(d_k)) V``.

    Parameters
    ----------
    query : tf.Tensor ``(..., L_q, d_k)``
    key : tf.Tensor ``(..., L_k, d_k)``
    value : tf.Tensor ``(..., L_k, d_v)``
        float32 or float64 (compute in the inputs' dtype: cast ``d_k`` to it), with any
        number of leading batch dimensions.
    mask : bool tf.Tensor or None
        Broadcastable to ``(..., L_q, L_k)``; **True where attention is allowed** (the PyTorch
        part's and Keras' polarity). The TensorFlow Transformer tutorial's helper uses the
        opposite polarity (1 = blocked, added as ``mask * -1e9``): do not copy it unchanged.
        Blocked keys must get weight 0 (set their scores to ``-inf`` or a very large negative
        number before the softmax). Every query must be allowed at least one key.

    Returns
    -------
    output : tf.Tensor ``(..., L_q, d_v)``
    weights : tf.Tensor ``(..., L_q, L_k)``
        ``softmax(QK^T / sqrt(d_k))`` over the last axis (rows sum to 1), ``d_k = query.shape[-1]``.
    """
    # BEGIN SOLUTION
    d_k = tf.cast(tf.shape(query)[-1], query.dtype)
    scores = tf.matmul(query, key, transpose_b=True) / tf.math.sqrt(d_k)
    if mask is not None:
        mask = tf.cast(mask, tf.bool)
        scores = tf.where(mask, scores, tf.constant(-math.inf, dtype=scores.dtype))
    weights = tf.nn.softmax(scores, axis=-1)
    return tf.matmul(weights, value), weights
    # END SOLUTION


def make_train_step(model, loss_fn, optimizer):
    """Build the TensorFlow quickstart's training step for ``model``.

    Returns a ``tf.function`` (decorate an inner function with ``@tf.function``) ``train_step(x, y)``
    that does one update: under a ``tf.GradientTape``, ``predictions = model(x, training=True)``
    and ``loss = loss_fn(y, predictions)`` (Keras losses take the targets first); then
    ``optimizer.apply_gradients(zip(gradients, model.trainable_variables))`` with the gradients
    of ``loss`` with respect to ``model.trainable_variables``. It returns ``loss`` (a scalar
    tensor). Calling it ``n`` times makes exactly ``n`` optimizer updates.
    """
    # BEGIN SOLUTION
    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            predictions = model(x, training=True)
            loss = loss_fn(y, predictions)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    return train_step
    # END SOLUTION
