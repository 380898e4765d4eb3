"""A correct alternative Problem 4 submission, written differently from the reference."""

import torch
import torch.nn as nn


class MLP(nn.Module):
    def __init__(self, input_dim, output_dim, hidden_dims=(64, 64), activation=nn.ReLU):
        super().__init__()
        sizes = [input_dim, *hidden_dims]
        self.net = nn.Sequential()
        for a, b in zip(sizes[:-1], sizes[1:]):
            self.net.append(nn.Linear(a, b))
            self.net.append(activation())
        self.net.append(nn.Linear(sizes[-1], output_dim))

    def forward(self, x):
        for layer in self.net:
            x = layer(x)
        return x


class ConvEncoder(nn.Module):
    def __init__(self, in_channels=4, feature_dim=512):
        super().__init__()
        specs = [(in_channels, 32, 8, 4), (32, 64, 4, 2), (64, 64, 3, 1)]
        layers = []
        for c_in, c_out, k, s in specs:
            layers += [nn.Conv2d(c_in, c_out, k, s), nn.ReLU(inplace=True)]
        self.conv = nn.Sequential(*layers)
        self.fc = nn.Linear(3136, feature_dim)

    def forward(self, x):
        h = self.conv(x)
        return torch.relu(self.fc(h.reshape(h.size(0), -1)))


class GRUCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        k = hidden_size ** -0.5
        self.weight_ih = nn.Parameter(torch.rand(3 * hidden_size, input_size) * 2 * k - k)
        self.weight_hh = nn.Parameter(torch.rand(3 * hidden_size, hidden_size) * 2 * k - k)
        self.bias_ih = nn.Parameter(torch.rand(3 * hidden_size) * 2 * k - k)
        self.bias_hh = nn.Parameter(torch.rand(3 * hidden_size) * 2 * k - k)

    def forward(self, x, h=None):
        H = self.hidden_size
        if h is None:
            h = x.new_zeros(x.shape[0], H)
        w_ir, w_iz, w_in = self.weight_ih[:H], self.weight_ih[H:2 * H], self.weight_ih[2 * H:]
        w_hr, w_hz, w_hn = self.weight_hh[:H], self.weight_hh[H:2 * H], self.weight_hh[2 * H:]
        b_ir, b_iz, b_in = self.bias_ih[:H], self.bias_ih[H:2 * H], self.bias_ih[2 * H:]
        b_hr, b_hz, b_hn = self.bias_hh[:H], self.bias_hh[H:2 * H], self.bias_hh[2 * H:]
        r = torch.sigmoid(x @ w_ir.T + b_ir + h @ w_hr.T + b_hr)
        z = torch.sigmoid(x @ w_iz.T + b_iz + h @ w_hz.T + b_hz)
        n = torch.tanh(x @ w_in.T + b_in + r * (h @ w_hn.T + b_hn))
        return n + z * (h - n)


class RecurrentPolicy(nn.Module):
    def __init__(self, obs_dim, n_actions, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.cell = GRUCell(obs_dim, hidden_size)
        self.head = nn.Linear(hidden_size, n_actions)

    def forward(self, obs_seq, h0=None):
        h = obs_seq.new_zeros(obs_seq.shape[0], self.hidden_size) if h0 is None else h0
        logits = []
        for obs in obs_seq.unbind(dim=1):
            h = self.cell(obs, h)
            logits.append(self.head(h))
        return torch.stack(logits, dim=1), h


def scaled_dot_product_attention(query, key, value, mask=None):
    scores = torch.einsum("...qd,...kd->...qk", query, key) * query.shape[-1] ** -0.5
    if mask is not None:
        scores = torch.where(mask, scores, torch.full_like(scores, -1e30 if scores.dtype == torch.float64 else -1e9))
    scores = scores - scores.amax(dim=-1, keepdim=True)
    exp = scores.exp()
    weights = exp / exp.sum(dim=-1, keepdim=True)
    return torch.einsum("...qk,...kd->...qd", weights, value), weights


def causal_mask(length):
    positions = torch.arange(length)
    return positions[:, None] >= positions[None, :]


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads, bias=True):
        super().__init__()
        assert embed_dim % num_heads == 0
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        self.q_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.k_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.v_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)

    def _heads(self, x):
        B, L, _ = x.shape
        return x.reshape(B, L, self.num_heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, query, key, value, mask=None):
        q, k, v = self._heads(self.q_proj(query)), self._heads(self.k_proj(key)), self._heads(self.v_proj(value))
        if mask is not None and mask.ndim == 3:
            mask = mask[:, None, :, :]
        out, weights = scaled_dot_product_attention(q, k, v, mask)
        B, _, Lq, _ = out.shape
        out = out.permute(0, 2, 1, 3).contiguous().view(B, Lq, self.embed_dim)
        return self.out_proj(out), weights


class TransformerEncoderBlock(nn.Module):
    def __init__(self, embed_dim, num_heads, ff_dim):
        super().__init__()
        self.attn = MultiHeadAttention(embed_dim, num_heads)
        self.norm1 = nn.LayerNorm(embed_dim)
        self.ff = nn.Sequential(nn.Linear(embed_dim, ff_dim), nn.ReLU(), nn.Linear(ff_dim, embed_dim))
        self.norm2 = nn.LayerNorm(embed_dim)

    def forward(self, x, mask=None):
        attended, _ = self.attn(x, x, x, mask=mask)
        h = self.norm1(attended + x)
        return self.norm2(self.ff(h) + h)


class TransformerDecoderBlock(nn.Module):
    def __init__(self, embed_dim, num_heads, ff_dim):
        super().__init__()
        self.self_attn = MultiHeadAttention(embed_dim, num_heads)
        self.cross_attn = MultiHeadAttention(embed_dim, num_heads)
        self.ff = nn.Sequential(nn.Linear(embed_dim, ff_dim), nn.ReLU(), nn.Linear(ff_dim, embed_dim))
        self.norm1 = nn.LayerNorm(embed_dim)
        self.norm2 = nn.LayerNorm(embed_dim)
        self.norm3 = nn.LayerNorm(embed_dim)

    def forward(self, x, memory, self_mask=None, memory_mask=None):
        h = self.norm1(x + self.self_attn(x, x, x, mask=self_mask)[0])
        h = self.norm2(h + self.cross_attn(h, memory, memory, mask=memory_mask)[0])
        return self.norm3(h + self.ff(h))


def train_one_epoch(model, loader, loss_fn, optimizer):
    # The tutorial's order: backward, step, then zero the gradients.
    model.train()
    losses = []
    for batch, (X, y) in enumerate(loader):
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return sum(losses) / len(losses)


def evaluate(model, loader, loss_fn):
    model.eval()
    size = len(loader.dataset)
    num_batches = len(loader)
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in loader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    return test_loss / num_batches, correct / size
