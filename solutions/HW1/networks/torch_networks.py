"""Problem 4 (20 points): network building blocks in PyTorch.

Build the pieces the recitation introduces (an MLP, the DQN convolutional encoder, a GRU
cell and a recurrent policy, scaled dot-product attention, multi-head attention and the
two Transformer blocks) plus the recitation's PyTorch train/test loops.

Conventions for the whole file:

- Keep the attribute names given in each docstring: the tests build your module, load
  reference weights into it with ``load_state_dict`` and compare with PyTorch's own layers.
- Everything is batch first. Modules work in the dtype and on the device of their
  parameters and inputs: create any new tensor with ``device=x.device, dtype=x.dtype``
  (float32 and float64 are both tested).
- Masks are boolean tensors with **True where attention is allowed** (the same polarity as
  ``torch.nn.functional.scaled_dot_product_attention``; note that ``nn.MultiheadAttention``'s
  boolean ``attn_mask`` uses the opposite one, True = blocked).
- No dropout anywhere in this file.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    """A multi-layer perceptron: ``z_{i+1} = f(W_i z_i + b_i)``, with no activation after the last layer.

    Parameters
    ----------
    input_dim : int
        Size of the last dimension of the input.
    output_dim : int
        Size of the last dimension of the output.
    hidden_dims : sequence of int, default (64, 64)
        Width of each hidden layer, in order; ``()`` gives a single Linear layer.
    activation : type of nn.Module, default nn.ReLU
        A module *class* (``nn.ReLU``, ``nn.Tanh``, ...); instantiate it once per hidden layer.

    Attributes
    ----------
    net : nn.Sequential
        ``Linear(input_dim, h1), activation(), Linear(h1, h2), activation(), ..., Linear(h_last, output_dim)``,
        so the state-dict keys are ``net.0.weight``, ``net.0.bias``, ``net.2.weight``, ...

    ``forward(x)`` maps ``x`` of shape ``(..., input_dim)`` to ``(..., output_dim)``.
    """

    def __init__(self, input_dim, output_dim, hidden_dims=(64, 64), activation=nn.ReLU):
        super().__init__()
        # BEGIN SOLUTION
        layers = []
        previous = input_dim
        for width in hidden_dims:
            layers += [nn.Linear(previous, width), activation()]
            previous = width
        layers.append(nn.Linear(previous, output_dim))
        self.net = nn.Sequential(*layers)
        # END SOLUTION

    def forward(self, x):
        """``x``: ``(..., input_dim)`` -> ``(..., output_dim)``."""
        # BEGIN SOLUTION
        return self.net(x)
        # END SOLUTION


class ConvEncoder(nn.Module):
    """The DQN image encoder (Mnih et al., 2015) for stacks of 84x84 frames.

    Input ``x``: float tensor ``(B, in_channels, 84, 84)`` with values in [0, 1] (no rescaling
    inside). Layers: ``Conv2d(in_channels, 32, kernel_size=8, stride=4)``, ReLU,
    ``Conv2d(32, 64, kernel_size=4, stride=2)``, ReLU, ``Conv2d(64, 64, kernel_size=3, stride=1)``,
    ReLU (the feature map is then ``(B, 64, 7, 7)``), flatten to ``(B, 3136)``,
    ``Linear(3136, feature_dim)``, ReLU. Output: ``(B, feature_dim)``.

    Attributes
    ----------
    conv : nn.Sequential
        Exactly ``(Conv2d, ReLU, Conv2d, ReLU, Conv2d, ReLU)`` (keys ``conv.0.weight``,
        ``conv.2.weight``, ``conv.4.weight`` and their biases).
    fc : nn.Linear
        ``Linear(64 * 7 * 7, feature_dim)``; the final ReLU is applied in ``forward``.
    """

    def __init__(self, in_channels=4, feature_dim=512):
        super().__init__()
        # BEGIN SOLUTION
        self.conv = nn.Sequential(
            nn.Conv2d(in_channels, 32, kernel_size=8, stride=4), nn.ReLU(),
            nn.Conv2d(32, 64, kernel_size=4, stride=2), nn.ReLU(),
            nn.Conv2d(64, 64, kernel_size=3, stride=1), nn.ReLU(),
        )
        self.fc = nn.Linear(64 * 7 * 7, feature_dim)
        # END SOLUTION

    def forward(self, x):
        """``x``: ``(B, in_channels, 84, 84)`` -> features ``(B, feature_dim)``, after a ReLU."""
        # BEGIN SOLUTION
        return F.relu(self.fc(torch.flatten(self.conv(x), start_dim=1)))
        # END SOLUTION


class GRUCell(nn.Module):
    """One step of a gated recurrent unit, written from the equations (no ``nn.GRUCell``/``nn.GRU``).

    With ``x`` of shape ``(B, input_size)`` and ``h`` of shape ``(B, hidden_size)``::

        r  = sigmoid(W_ir x + b_ir + W_hr h + b_hr)        # reset gate
        z  = sigmoid(W_iz x + b_iz + W_hz h + b_hz)        # update gate
        n  = tanh(W_in x + b_in + r * (W_hn h + b_hn))     # new (candidate) state
        h' = (1 - z) * n + z * h

    Parameters (``nn.Parameter``, PyTorch's layout and gate order reset, update, new, so that
    ``nn.GRUCell`` weights load unchanged):

    - ``weight_ih``: ``(3 * hidden_size, input_size)``, rows ``[W_ir; W_iz; W_in]``
    - ``weight_hh``: ``(3 * hidden_size, hidden_size)``, rows ``[W_hr; W_hz; W_hn]``
    - ``bias_ih``, ``bias_hh``: ``(3 * hidden_size,)``, in the same order

    Initialise every parameter uniformly in ``[-1/sqrt(hidden_size), 1/sqrt(hidden_size)]``
    (as PyTorch does). ``forward(x, h=None) -> h_next`` of shape ``(B, hidden_size)``;
    ``h=None`` means a zero state (same dtype and device as ``x``).
    """

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        # BEGIN SOLUTION
        self.weight_ih = nn.Parameter(torch.empty(3 * hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(3 * hidden_size, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(3 * hidden_size))
        self.bias_hh = nn.Parameter(torch.empty(3 * hidden_size))
        bound = 1.0 / math.sqrt(hidden_size)
        for parameter in self.parameters():
            nn.init.uniform_(parameter, -bound, bound)
        # END SOLUTION

    def forward(self, x, h=None):
        """``x``: ``(B, input_size)``, ``h``: ``(B, hidden_size)`` or None -> ``h_next`` ``(B, hidden_size)``."""
        # BEGIN SOLUTION
        if h is None:
            h = torch.zeros(*x.shape[:-1], self.hidden_size, dtype=x.dtype, device=x.device)
        gates_x = F.linear(x, self.weight_ih, self.bias_ih)
        gates_h = F.linear(h, self.weight_hh, self.bias_hh)
        x_r, x_z, x_n = gates_x.chunk(3, dim=-1)
        h_r, h_z, h_n = gates_h.chunk(3, dim=-1)
        r = torch.sigmoid(x_r + h_r)
        z = torch.sigmoid(x_z + h_z)
        n = torch.tanh(x_n + r * h_n)
        return (1 - z) * n + z * h
        # END SOLUTION


class RecurrentPolicy(nn.Module):
    """A policy with memory: your ``GRUCell`` unrolled over time, then a linear head on each state.

    Attributes
    ----------
    cell : GRUCell
        ``GRUCell(obs_dim, hidden_size)``.
    head : nn.Linear
        ``Linear(hidden_size, n_actions)``, applied to the hidden state after every step.

    ``forward(obs_seq, h0=None) -> (logits, h_T)``: ``obs_seq`` is ``(B, T, obs_dim)``; ``h0``
    is ``(B, hidden_size)`` or None (zeros, same dtype and device as ``obs_seq``). For
    ``t = 0 .. T-1``: ``h_{t+1} = cell(obs_seq[:, t], h_t)`` and ``logits[:, t] = head(h_{t+1})``.
    Returns ``logits`` ``(B, T, n_actions)`` and the last state ``h_T`` ``(B, hidden_size)``.
    """

    def __init__(self, obs_dim, n_actions, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        # BEGIN SOLUTION
        self.cell = GRUCell(obs_dim, hidden_size)
        self.head = nn.Linear(hidden_size, n_actions)
        # END SOLUTION

    def forward(self, obs_seq, h0=None):
        """``obs_seq``: ``(B, T, obs_dim)`` -> ``(logits (B, T, n_actions), h_T (B, hidden_size))``."""
        # BEGIN SOLUTION
        batch, steps = obs_seq.shape[0], obs_seq.shape[1]
        h = h0
        if h is None:
            h = torch.zeros(batch, self.hidden_size, dtype=obs_seq.dtype, device=obs_seq.device)
        states = []
        for t in range(steps):
            h = self.cell(obs_seq[:, t], h)
            states.append(h)
        logits = self.head(torch.stack(states, dim=1))
        return logits, h
        # END SOLUTION


def scaled_dot_product_attention(query, key, value, mask=None):
    """Scaled dot-product attention, as in the recitation: ``A(Q, K, V) = softmax(QK^T / sqrt(d_k)) V``.

    Parameters
    ----------
    query : Tensor ``(..., L_q, d_k)``
    key : Tensor ``(..., L_k, d_k)``
    value : Tensor ``(..., L_k, d_v)``
        Any number of leading batch dimensions (none, ``(B,)``, ``(B, heads)``, ...), the same
        for the three tensors or broadcastable against each other.
    mask : bool Tensor or None
        Broadcastable to ``(..., L_q, L_k)``; **True where attention is allowed**. Blocked
        scores are set to ``-inf`` before the softmax, so a blocked key gets weight exactly 0.
        Every query must be allowed at least one key (a fully blocked row is undefined: NaN,
        as in PyTorch). ``None`` means every query attends to every key.

    Returns
    -------
    output : Tensor ``(..., L_q, d_v)``
        ``weights @ value``.
    weights : Tensor ``(..., L_q, L_k)``
        ``softmax(QK^T / sqrt(d_k))`` over the last dimension (each row sums to 1), with
        ``d_k = query.shape[-1]``.

    Write it from matrix products and a softmax: do **not** call PyTorch's fused
    ``F.scaled_dot_product_attention`` (the grader makes it unavailable). Outputs keep the
    inputs' dtype and device.
    """
    # BEGIN SOLUTION
    d_k = query.shape[-1]
    scores = torch.matmul(query, key.transpose(-2, -1)) / math.sqrt(d_k)
    if mask is not None:
        scores = scores.masked_fill(~mask.to(torch.bool), float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return torch.matmul(weights, value), weights
    # END SOLUTION


def causal_mask(length):
    """The causal ("no peeking ahead") mask of the decoder's masked self-attention.

    Returns a ``torch.bool`` tensor of shape ``(length, length)`` whose entry ``[i, j]`` is True
    (allowed) iff ``j <= i``: position ``i`` may attend to itself and to earlier positions only
    (lower triangle and diagonal True, strictly upper triangle False). On the CPU; move it with
    ``.to(device)`` where needed.
    """
    # BEGIN SOLUTION
    return torch.tril(torch.ones(length, length, dtype=torch.bool))
    # END SOLUTION


class MultiHeadAttention(nn.Module):
    """Multi-head attention (Vaswani et al., 2017), batch first, for self- and cross-attention.

    ``embed_dim`` must be divisible by ``num_heads``; each head has ``head_dim = embed_dim // num_heads``.

    Attributes (all ``nn.Linear(embed_dim, embed_dim, bias=bias)``): ``q_proj``, ``k_proj``,
    ``v_proj`` and ``out_proj``.

    ``forward(query, key, value, mask=None) -> (output, weights)``:

    - ``query`` ``(B, L_q, E)``; ``key`` and ``value`` ``(B, L_k, E)``. Self-attention passes
      the same tensor three times; cross-attention takes the queries from one sequence and
      the keys and values from another (``L_q`` may differ from ``L_k``).
    - Project: ``Q = q_proj(query)``, ``K = k_proj(key)``, ``V = v_proj(value)``; split the last
      dimension into heads, ``(B, L, E) -> (B, L, heads, head_dim) -> (B, heads, L, head_dim)``
      (head ``i`` owns features ``i*head_dim .. (i+1)*head_dim - 1``).
    - Per head: ``softmax(Q K^T / sqrt(head_dim)) V`` with your ``scaled_dot_product_attention``.
    - Merge the heads back to ``(B, L_q, E)`` (the inverse of the split) and apply ``out_proj``.
    - ``mask``: bool, **True = allowed**, of shape ``(L_q, L_k)`` (every batch and head),
      ``(B, L_q, L_k)`` (per batch element, the same for every head) or ``(B, heads, L_q, L_k)``.

    Returns ``output`` ``(B, L_q, E)`` and the per-head attention ``weights``
    ``(B, heads, L_q, L_k)`` (not averaged over heads).
    """

    def __init__(self, embed_dim, num_heads, bias=True):
        super().__init__()
        if embed_dim % num_heads != 0:
            raise ValueError(f"embed_dim={embed_dim} is not divisible by num_heads={num_heads}")
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads
        # BEGIN SOLUTION
        self.q_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.k_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.v_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        # END SOLUTION

    def forward(self, query, key, value, mask=None):
        """``(B, L_q, E), (B, L_k, E), (B, L_k, E)`` -> ``(output (B, L_q, E), weights (B, heads, L_q, L_k))``."""
        # BEGIN SOLUTION
        batch, len_q, _ = query.shape
        len_k = key.shape[1]

        def split(x, length):
            return x.view(batch, length, self.num_heads, self.head_dim).transpose(1, 2)

        q = split(self.q_proj(query), len_q)
        k = split(self.k_proj(key), len_k)
        v = split(self.v_proj(value), len_k)
        if mask is not None and mask.dim() == 3:
            mask = mask.unsqueeze(1)  # (B, L_q, L_k) -> (B, 1, L_q, L_k): the same for every head
        heads, weights = scaled_dot_product_attention(q, k, v, mask)
        merged = heads.transpose(1, 2).reshape(batch, len_q, self.embed_dim)
        return self.out_proj(merged), weights
        # END SOLUTION


class TransformerEncoderBlock(nn.Module):
    """One Transformer encoder layer, post-norm as in the paper's figure (no dropout).

    It uses the first of the three kinds of attention in a Transformer, **encoder
    self-attention** (query = key = value = the encoder's input); the other two, masked
    decoder self-attention and encoder-decoder attention, live in ``TransformerDecoderBlock``.

    Attributes: ``attn`` (``MultiHeadAttention(embed_dim, num_heads)``), ``norm1``
    (``nn.LayerNorm(embed_dim)``, eps 1e-5), ``ff`` (``nn.Sequential(Linear(embed_dim, ff_dim),
    ReLU(), Linear(ff_dim, embed_dim))``) and ``norm2`` (``nn.LayerNorm(embed_dim)``).

    ``forward(x, mask=None)`` with ``x`` ``(B, L, E)`` and an optional bool ``mask`` (True =
    allowed, any shape ``MultiHeadAttention`` accepts) returns ``(B, L, E)``::

        x = norm1(x + attn(x, x, x, mask)[0])
        x = norm2(x + ff(x))

    This matches ``nn.TransformerEncoderLayer(embed_dim, num_heads, ff_dim, dropout=0.0,
    activation="relu", batch_first=True, norm_first=False)``.
    """

    def __init__(self, embed_dim, num_heads, ff_dim):
        super().__init__()
        # BEGIN SOLUTION
        self.attn = MultiHeadAttention(embed_dim, num_heads)
        self.norm1 = nn.LayerNorm(embed_dim, eps=1e-5)
        self.ff = nn.Sequential(nn.Linear(embed_dim, ff_dim), nn.ReLU(), nn.Linear(ff_dim, embed_dim))
        self.norm2 = nn.LayerNorm(embed_dim, eps=1e-5)
        # END SOLUTION

    def forward(self, x, mask=None):
        """``x``: ``(B, L, E)`` -> ``(B, L, E)``."""
        # BEGIN SOLUTION
        x = self.norm1(x + self.attn(x, x, x, mask)[0])
        return self.norm2(x + self.ff(x))
        # END SOLUTION


class TransformerDecoderBlock(nn.Module):
    """One Transformer decoder layer, post-norm (no dropout).

    It uses the other two of the three kinds of attention in a Transformer (the first,
    encoder self-attention, is in ``TransformerEncoderBlock``):

    1. **masked decoder self-attention** (``self_attn``): query = key = value = the decoder's
       input ``x``, usually with a causal mask so that position ``i`` sees positions ``<= i``;
    2. **encoder-decoder attention** (``cross_attn``): queries from the decoder, keys and
       values from the encoder output ``memory``;

    each followed by a residual connection and LayerNorm, then a feed-forward network.

    Attributes: ``self_attn``, ``cross_attn`` (both ``MultiHeadAttention(embed_dim, num_heads)``),
    ``ff`` (``nn.Sequential(Linear(embed_dim, ff_dim), ReLU(), Linear(ff_dim, embed_dim))``),
    ``norm1``, ``norm2``, ``norm3`` (``nn.LayerNorm(embed_dim)``, eps 1e-5).

    ``forward(x, memory, self_mask=None, memory_mask=None)`` with ``x`` ``(B, L_q, E)`` and
    ``memory`` ``(B, L_k, E)`` returns ``(B, L_q, E)``::

        x = norm1(x + self_attn(x, x, x, self_mask)[0])
        x = norm2(x + cross_attn(x, memory, memory, memory_mask)[0])
        x = norm3(x + ff(x))

    Masks are bool, True = allowed (shapes as in ``MultiHeadAttention``: ``self_mask``
    ``(L_q, L_q)``, ``memory_mask`` ``(L_q, L_k)``, or with batch/head dimensions). A ``None``
    mask means no masking: no causal mask is implied, as in PyTorch, so pass
    ``causal_mask(L_q)`` yourself. This matches ``nn.TransformerDecoderLayer(embed_dim,
    num_heads, ff_dim, dropout=0.0, activation="relu", batch_first=True, norm_first=False)``.
    """

    def __init__(self, embed_dim, num_heads, ff_dim):
        super().__init__()
        # BEGIN SOLUTION
        self.self_attn = MultiHeadAttention(embed_dim, num_heads)
        self.cross_attn = MultiHeadAttention(embed_dim, num_heads)
        self.ff = nn.Sequential(nn.Linear(embed_dim, ff_dim), nn.ReLU(), nn.Linear(ff_dim, embed_dim))
        self.norm1 = nn.LayerNorm(embed_dim, eps=1e-5)
        self.norm2 = nn.LayerNorm(embed_dim, eps=1e-5)
        self.norm3 = nn.LayerNorm(embed_dim, eps=1e-5)
        # END SOLUTION

    def forward(self, x, memory, self_mask=None, memory_mask=None):
        """``x``: ``(B, L_q, E)``, ``memory``: ``(B, L_k, E)`` -> ``(B, L_q, E)``."""
        # BEGIN SOLUTION
        x = self.norm1(x + self.self_attn(x, x, x, self_mask)[0])
        x = self.norm2(x + self.cross_attn(x, memory, memory, memory_mask)[0])
        return self.norm3(x + self.ff(x))
        # END SOLUTION


def train_one_epoch(model, loader, loss_fn, optimizer):
    """One pass over ``loader``: the recitation's (PyTorch tutorial's) training loop.

    Put the model in training mode (``model.train()``), then for every batch ``(X, y)`` in
    order: ``pred = model(X)``, ``loss = loss_fn(pred, y)``, clear the old gradients
    (``optimizer.zero_grad()``), ``loss.backward()``, ``optimizer.step()``. Gradients must not
    leak from one batch into the next. Batches come from the loader as given (do not move,
    reshuffle or re-seed anything).

    Returns
    -------
    float
        The mean of the per-batch losses (a Python float: sum of ``loss.item()`` / number of batches).
    """
    # BEGIN SOLUTION
    model.train()
    total, n_batches = 0.0, 0
    for X, y in loader:
        pred = model(X)
        loss = loss_fn(pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
        n_batches += 1
    return total / n_batches
    # END SOLUTION


def evaluate(model, loader, loss_fn):
    """The recitation's test loop: evaluation mode, no gradients, loss and accuracy.

    Put the model in evaluation mode (``model.eval()``) and run it under ``torch.no_grad()``
    over every batch ``(X, y)`` (``y`` holds class indices; the prediction is
    ``model(X).argmax(1)``). Parameters do not change.

    Returns
    -------
    mean_loss : float
        Mean of the per-batch losses ``loss_fn(model(X), y).item()``.
    accuracy : float
        Correct predictions / number of samples seen, in [0, 1].

    Both are Python floats.
    """
    # BEGIN SOLUTION
    model.eval()
    total_loss, n_batches, correct, seen = 0.0, 0, 0, 0
    with torch.no_grad():
        for X, y in loader:
            pred = model(X)
            total_loss += loss_fn(pred, y).item()
            correct += int((pred.argmax(1) == y).sum().item())
            seen += int(y.shape[0])
            n_batches += 1
    return total_loss / n_batches, correct / seen
    # END SOLUTION
