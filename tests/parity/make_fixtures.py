#!/usr/bin/python3
"""Write the PyTorch reference fixtures that tests/parity/parity.c compares dlc against.

  make_fixtures.py [OUTDIR]      (default: tests/fixtures; `make fixtures` runs this)

For every model in tests/parity/models there is a torch module below, written by hand to
compute the same function, with dlc's parameter names (the .dlm layer name + ".weight" /
".bias", Linear layout [out, in], ConvNd [out, in / groups, *kernel]).  From a fixed seed it
makes the initial weights and one random batch (the batch size of the model's train section),
then writes two files, by hand with struct + json because python3-safetensors is not installed:

  <model>.weights.safetensors   exactly model.state_dict(), to prove a torch file loads in dlc
  <model>.data.safetensors      the inputs and targets (f32 inputs, i32 class labels);
                                "output" (the forward output), "loss" (shape []), each
                                metric (e.g. "accuracy", a count), "grad.<param>"; then for
                                three torch.optim steps on the same batch, "step<k>.loss" (the
                                loss the step's forward saw) and "step<k>.<name>" (after it)
                                for every state_dict entry, buffers included

The loss includes the l1/l2 penalties (train section and layers) when the spec has them (dlc adds them to
the loss).  Models with buffers (BatchNorm's running statistics and num_batches_tracked) differ
between torch's train() and eval() modes, as dlc's functions do: "output" and "eval.loss" /
"eval.<metric>" come from eval() (running statistics, as dlc's INFER and EVAL), "loss", the
gradients and the steps from train() (batch statistics, as GRAD and TRAIN); buffers have no
gradient, and the forward that makes the gradients does not count as a step (the buffers are
restored before the optimizer steps).

Everything is float32, as dlc compiles by default, but num_batches_tracked (int64).
"""
import json
import math
import os
import re
import struct
import sys
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

# torch notes that an even kernel with padding="same" pads a copy of the input (the extra
# element after, which is the behaviour these fixtures pin down); nothing to act on.
warnings.filterwarnings("ignore", message="Using padding='same' with even kernel lengths")

MODELS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")
STEPS = 3
ST_DTYPES = {torch.float32: "F32", torch.int32: "I32", torch.int64: "I64"}


# ---- the models, mirroring tests/parity/models/*.dlm ------------------------------------------
class MlpAdam(nn.Module):
    """mlp_adam.dlm: flatten [N,1,28,28] -> 784-256-128-10 with ReLU."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.out = nn.Linear(128, 10)

    def forward(self, image):
        h = F.relu(self.fc1(image.flatten(1)))
        return self.out(F.relu(self.fc2(h)))


class ActsMomentum(nn.Module):
    """acts_momentum.dlm: every activation, broadcasting arithmetic, a shared bias-free layer."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Linear(12, 10)
        self.mix = nn.Linear(10, 10, bias=False)
        self.gate = nn.Linear(12, 1)
        self.head = nn.Linear(10, 6)

    def forward(self, x):
        h1 = self.enc(x)                                  # [N, 10]
        a1 = torch.sigmoid(h1)
        a2 = torch.tanh(self.mix(h1))
        a3 = F.gelu(self.mix(a2))                         # mix again: shared weight
        a4 = F.leaky_relu(a3 * 2 - h1, 0.2)
        g = self.gate(x)                                  # [N, 1]
        a5 = a4 * torch.sigmoid(g) + a1 / (1.5 + torch.exp(g))
        a6 = torch.log(1 + torch.exp(-a5))
        z = self.head(a6)                                 # [N, 6]
        return F.softmax(z, dim=-1) - F.log_softmax(z, dim=-1) / 4


class TinySgd(nn.Module):
    """tiny_sgd.dlm: 7 -> 5 -> 3 with tanh."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(7, 5)
        self.out = nn.Linear(5, 3)

    def forward(self, x):
        return self.out(torch.tanh(self.hidden(x)))


class Conv2dConfigs(nn.Module):
    """conv2d_configs.dlm: stride 2 + padding 1, "same" with an even kernel, depthwise "same" with
    dilation 2, a [2, 3] kernel with dilation [1, 2] and "same", a grouped [3, 2] convolution
    and a row dilation without bias, max- and average-pooling with padding, two branches added,
    GlobalAvgPool."""

    def __init__(self):
        super().__init__()
        self.down = nn.Conv2d(4, 8, 3, stride=2, padding=1)
        self.same4 = nn.Conv2d(4, 8, 4, padding="same")      # torch pads 1 before, 2 after
        self.dw = nn.Conv2d(8, 8, 3, dilation=2, padding="same", groups=8)
        self.rect = nn.Conv2d(8, 8, (2, 3), dilation=(1, 2), padding="same")
        self.grp = nn.Conv2d(8, 6, (3, 2), stride=(1, 2), padding=(1, 0), dilation=(2, 1), groups=2,
                             bias=False)
        self.head = nn.Linear(6, 5)

    def forward(self, x):                                     # x [N, 4, 11, 9]
        a = self.down(x)                                      # [N, 8, 6, 5]
        b = F.max_pool2d(F.relu(self.same4(x)), 3, stride=2, padding=1)
        h = torch.sigmoid(self.rect(F.relu(self.dw(torch.tanh(a + b)))))
        p = F.avg_pool2d(self.grp(h), 2, padding=1)           # count_include_pad=True (default)
        return self.head(p.mean(dim=(2, 3)))                  # GlobalAvgPool -> [N, 5]


class Conv1dConfigs(nn.Module):
    """conv1d_configs.dlm: Conv1d with stride + dilation + padding, dilation + "same" + groups
    applied twice, an even kernel with "same", groups and no bias, a kernel-1 "valid"
    convolution; max/avg pools with padding, an avg pool that drops the tail, a residual add
    and a broadcast side branch."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv1d(6, 8, 4, stride=2, padding=3, dilation=2)
        self.c2 = nn.Conv1d(8, 8, 3, dilation=2, padding="same", groups=4)
        self.c3 = nn.Conv1d(8, 6, 2, padding="same", groups=2, bias=False)  # pad 0 before, 1 after
        self.c4 = nn.Conv1d(6, 3, 1, padding="valid")
        self.side = nn.Linear(6, 3)

    def forward(self, x):                                     # x [N, 6, 25]
        h = F.max_pool1d(F.gelu(self.c1(x)), 3, stride=2, padding=1)   # [N, 8, 7]
        r = h + self.c2(torch.tanh(self.c2(h)))               # c2 twice: shared weights
        u = self.c3(r)                                        # [N, 6, 7]
        main = self.c4(F.avg_pool1d(u, 2, padding=1))         # [N, 3, 4]
        s = self.side(F.avg_pool1d(u, 3).mean(dim=2))         # [N, 6, 2] -> [N, 6] -> [N, 3]
        return main + s.reshape(-1, 3, 1)


class LeNet(nn.Module):
    """lenet.dlm (models/lenet.dlm's architecture): conv 5x5 pad 2, pool 2, conv 5x5, pool 2,
    400-120-84-10, ReLU throughout."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5, padding=2)
        self.c2 = nn.Conv2d(6, 16, 5)
        self.f1 = nn.Linear(400, 120)
        self.f2 = nn.Linear(120, 84)
        self.out = nn.Linear(84, 10)

    def forward(self, image):
        h = F.max_pool2d(F.relu(self.c1(image)), 2)
        h = F.max_pool2d(F.relu(self.c2(h)), 2)
        h = F.relu(self.f1(h.flatten(1)))
        return self.out(F.relu(self.f2(h)))


class DropoutZero(nn.Module):
    """dropout_zero.dlm without its Dropout(0) layers, which must be the identity everywhere."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 5, 3)
        self.fc = nn.Linear(45, 12)
        self.out = nn.Linear(12, 4)

    def forward(self, x):
        h = F.avg_pool2d(F.relu(self.conv(x)), 2).flatten(1)
        return self.out(torch.tanh(self.fc(h)))


def jitter_affine(module):
    """Move the normalization layers' affine parameters off torch's initial ones and zeros, so
    that the forward pass already tells weight from bias (the running statistics stay 0 and 1)."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.GroupNorm, nn.InstanceNorm2d, nn.LayerNorm)) \
                    and getattr(m, "weight", None) is not None:
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)


class Norms(nn.Module):
    """norms.dlm: h = tanh(BatchNorm2d(Conv2d without bias)); branches GroupNorm(2),
    InstanceNorm2d(affine), InstanceNorm2d, LayerNorm([5, 4]) of h, added; flatten -> Linear ->
    tanh -> BatchNorm1d(momentum 0.2, eps 1e-3) -> LayerNorm(eps 1e-4), halved."""

    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(3, 4, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(4)
        self.gn = nn.GroupNorm(2, 4)
        self.inorm = nn.InstanceNorm2d(4, affine=True)
        self.inorm0 = nn.InstanceNorm2d(4)
        self.ln2 = nn.LayerNorm([5, 4])
        self.fc = nn.Linear(80, 6)
        self.bn1 = nn.BatchNorm1d(6, momentum=0.2, eps=1e-3)
        self.ln = nn.LayerNorm(6, eps=1e-4)
        jitter_affine(self)

    def forward(self, x):                                     # x [N, 3, 5, 4]
        h = torch.tanh(self.bn(self.c(x)))
        a = torch.tanh(self.gn(h))
        b = F.gelu(self.inorm(h))
        s = torch.sigmoid(self.inorm0(h))
        u = h + a + b * s + self.ln2(h)                       # [N, 4, 5, 4]
        v = self.ln(self.bn1(torch.tanh(self.fc(u.flatten(1)))))
        return v * 0.5


class Losses(nn.Module):
    """losses.dlm: x -> Linear -> tanh, then two heads: logits [N, 4] and z [N, 3]."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(5, 6)
        self.cls = nn.Linear(6, 4)
        self.bin = nn.Linear(6, 3)

    def forward(self, x):
        h = torch.tanh(self.fc(x))
        return self.cls(h), self.bin(h)


def losses_loss(out, y, b):
    """losses.dlm's loss (without the l1/l2 penalties, added from the spec)."""
    logits, z = out
    ce = F.cross_entropy(logits, y.long(), weight=torch.tensor([1, 2, 0.5, 3]), label_smoothing=0.1)
    n = F.nll_loss(F.log_softmax(logits * 0.5, dim=-1), y.long())
    bce = F.binary_cross_entropy(torch.sigmoid(z), b) + F.binary_cross_entropy_with_logits(z * 2, b)
    return ce + n * 0.5 + bce + z.abs().mean() * 0.1


class TwoLayer(nn.Module):
    """losses_ce.dlm, losses_bce.dlm, losses_bce_logits.dlm and losses_nll.dlm: Linear `fc`, an
    activation, Linear `head_name`, then `post`."""

    def __init__(self, n_in, hidden, n_out, head_name, act, post=lambda t: t):
        super().__init__()
        self.fc = nn.Linear(n_in, hidden)
        self.head_name = head_name
        setattr(self, head_name, nn.Linear(hidden, n_out))
        self.act, self.post = act, post

    def forward(self, x):
        return self.post(getattr(self, self.head_name)(self.act(self.fc(x))))


class Penalties(nn.Module):
    """penalties.dlm: Conv1d(2, 3, 3, padding 1) -> tanh -> flatten -> LayerNorm(21) -> Linear."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(2, 3, 3, padding=1)
        self.ln = nn.LayerNorm(21)
        self.fc = nn.Linear(21, 3)
        jitter_affine(self)

    def forward(self, x):
        return self.fc(self.ln(torch.tanh(self.conv(x)).flatten(1)))


class TensorOps(nn.Module):
    """tensor_ops.dlm: concat, permute, transpose, sum/mean over axes, reshape."""

    def __init__(self):
        super().__init__()
        self.fa = nn.Linear(4, 4)
        self.fz = nn.Linear(4, 4)
        self.fp = nn.Linear(5, 3)

    def forward(self, x, z):                                  # x [N, 3, 4], z [N, 2, 4]
        a = torch.tanh(self.fa(x))
        b = torch.cat([a, self.fz(z)], dim=1)                 # [N, 5, 4]
        p = self.fp(b.permute(0, 2, 1))                       # [N, 4, 3]
        m = p.mean(dim=1).reshape(-1, 3, 1)
        q = p.transpose(-1, -2) * m - p.sum(dim=(1, 2)).reshape(-1, 1, 1) / 10   # [N, 3, 4]
        r = q.reshape(-1, 3, 2, 2).permute(0, 3, 1, 2)        # [N, 2, 3, 2]
        u = torch.cat([q.mean(dim=2), x.sum(dim=-2)], dim=-1)  # [N, 7]
        s = a.sum(dim=(1, 2)).reshape(-1, 1)
        w = torch.cat([r.sum(dim=(1, 3)), r.mean(dim=(-1, -3)), s], dim=1)
        return u + w * 0.5


class Residual(nn.Module):
    """blocks.dlm's block Residual(c): relu(x + bn(conv(x)))."""

    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(c)

    def forward(self, x):
        return F.relu(x + self.bn(self.conv(x)))


class Mix(nn.Module):
    """blocks.dlm's block Mix(width, scale): LayerNorm(tanh(a(x)) * sigmoid(gate) + x * scale)."""

    def __init__(self, n_in, width, scale=0.5):
        super().__init__()
        self.a = nn.Linear(n_in, width)
        self.n = nn.LayerNorm(width)
        self.scale = scale

    def forward(self, x, gate):
        h = torch.tanh(self.a(x))
        h = h * torch.sigmoid(gate) + x * self.scale
        return self.n(h)


class Blocks(nn.Module):
    """blocks.dlm: `repeat 2 Residual(2)` is a ModuleList named stack (stack.0.conv.weight, ...);
    Mix(6, scale = 0.25) applied twice."""

    def __init__(self):
        super().__init__()
        self.stack = nn.ModuleList([Residual(2), Residual(2)])
        self.m1 = Mix(6, 6, scale=0.25)
        self.proj = nn.Linear(40, 6)
        self.head = nn.Linear(6, 3)
        jitter_affine(self)

    def forward(self, img, v):                                # img [N, 2, 5, 4], v [N, 6]
        h = img
        for block in self.stack:
            h = block(h)
        g = self.proj(h.flatten(1))
        h = self.m1(v, g)
        return self.head(self.m1(h, g))


class Recurrent(nn.Module):
    """rnn_*.dlm: [Embedding `emb` ->] a torch.nn.RNN/LSTM/GRU with batch_first=True, named as the
    .dlm layer (so state_dict names are `<name>.weight_ih_l0`, ..., `_reverse`) -> [act ->] Linear
    `head_name`.  sequences=False: the head sees the last layer's final states from h_n,
    cat(h_n[-2], h_n[-1]) when bidirectional (forward at t = T-1, reverse at t = 0), else h_n[-1],
    which is what return_sequences = false means in dlc."""

    def __init__(self, name, rnn, head_name, n_out, sequences=True, act=lambda t: t, emb=None):
        super().__init__()
        if emb is not None:
            self.emb = emb
        self.name, self.head_name, self.sequences, self.act = name, head_name, sequences, act
        setattr(self, name, rnn)
        width = rnn.hidden_size * (2 if rnn.bidirectional else 1)
        setattr(self, head_name, nn.Linear(width, n_out))

    def forward(self, x):
        if hasattr(self, "emb"):
            x = self.emb(x.long())
        rnn = getattr(self, self.name)
        out, h_n = rnn(x)
        if isinstance(h_n, tuple):                            # LSTM: (h_n, c_n)
            h_n = h_n[0]
        if not self.sequences:
            out = torch.cat([h_n[-2], h_n[-1]], -1) if rnn.bidirectional else h_n[-1]
        return getattr(self, self.head_name)(self.act(out))


class RecurrentState(nn.Module):
    """rnn_state*.dlm: initial states from Linear layers `init_h` (`init_c`) of a second input z,
    reshaped to dlc's batch-first [N, layers * D, H] (torch wants [layers * D, N, H]: permuted),
    and the final states returned batch-first.  forward -> (sequence output, h_n, c_n or None)."""

    def __init__(self, rnn, z_features):
        super().__init__()
        self.rnn = rnn
        self.S = rnn.num_layers * (2 if rnn.bidirectional else 1)
        self.init_h = nn.Linear(z_features, self.S * rnn.hidden_size)
        if isinstance(rnn, nn.LSTM):
            self.init_c = nn.Linear(z_features, self.S * rnn.hidden_size)

    def forward(self, x, z):
        N, S, H = x.shape[0], self.S, self.rnn.hidden_size
        h0 = self.init_h(z).reshape(N, S, H).permute(1, 0, 2).contiguous()
        if isinstance(self.rnn, nn.LSTM):
            c0 = self.init_c(z).reshape(N, S, H).permute(1, 0, 2).contiguous()
            out, (h, c) = self.rnn(x, (h0, c0))
            return out, h.permute(1, 0, 2), c.permute(1, 0, 2)
        out, h = self.rnn(x, h0)
        return out, h.permute(1, 0, 2), None


class Indexing(nn.Module):
    """rnn_index.dlm: a GRU's steps picked by index and by range, from the start and the end."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(3, 5, batch_first=True)
        self.head = nn.Linear(35, 3)

    def forward(self, x):
        s, _ = self.gru(x)
        n = s.shape[0]
        feats = torch.cat([s[:, -1], s[:, -3:].mean(1), s[:, 0], s[:, 2:4].reshape(n, -1),
                           s[:, -4:-2].reshape(n, -1)], 1)
        return self.head(feats)


def jitter_attention(module):
    """Move attention biases off torch's zeros, so that the forward pass already uses them."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.MultiheadAttention):
                m.in_proj_bias.uniform_(-0.5, 0.5)
                m.out_proj.bias.uniform_(-0.5, 0.5)


class SelfAttention(nn.Module):
    """attn_self.dlm: nn.MultiheadAttention(16, 4) batch first, named attn; (output, weights
    averaged over the heads)."""

    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(16, 4, batch_first=True)
        jitter_attention(self)

    def forward(self, x):
        return self.attn(x, x, x, need_weights=True)


class MaskedAttention(nn.Module):
    """attn_mask.dlm: causal self-attention, 3 heads over 12, keys with id 0 hidden."""

    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(12, 3, batch_first=True)
        jitter_attention(self)

    def forward(self, x, ids):
        T = x.shape[1]
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        return self.attn(x, x, x, attn_mask=causal, key_padding_mask=ids == 0, need_weights=False)[0]


class CrossAttention(nn.Module):
    """attn_cross.dlm: queries of width 16 against keys of width 12 and values of width 10
    (q/k/v_proj_weight), keys past each length hidden, then Linear `head`."""

    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(16, 2, kdim=12, vdim=10, batch_first=True)
        self.head = nn.Linear(16, 3)
        jitter_attention(self)

    def forward(self, q, k, v, length):
        hidden = torch.arange(k.shape[1])[None, :] >= length[:, None]
        return self.head(self.attn(q, k, v, key_padding_mask=hidden, need_weights=False)[0])


def sinusoids(T, D):
    """Vaswani et al.'s position encoding [T, D]: sin/cos of t e^(-2i ln(10000)/D) at columns
    2i, 2i+1, in float64 rounded once to float32 (as dlc computes it)."""
    t = torch.arange(T, dtype=torch.float64)[:, None]
    freq = torch.exp(torch.arange(0, D, 2, dtype=torch.float64) * (-math.log(10000.0) / D))
    pe = torch.zeros(T, D, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(t * freq)
    pe[:, 1::2] = torch.cos(t * freq)[:, :D // 2]
    return pe.float()


class Positions(nn.Module):
    """positions.dlm: Embedding(9, 10) times sqrt(10), + sinusoids, + nn.Embedding(16, 10) of
    the positions (named pos), Linear head."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(9, 10)
        self.pos = nn.Embedding(16, 10)
        self.head = nn.Linear(10, 3)

    def forward(self, ids):
        T = ids.shape[1]
        x = self.emb(ids.long()) * math.sqrt(10) + sinusoids(T, 10)
        return self.head(x + self.pos(torch.arange(T)))


class Seq2Seq(nn.Module):
    """transformer_post.dlm / transformer_pre.dlm: embeddings of source and target ids, two
    nn.TransformerEncoderLayer and two nn.TransformerDecoderLayer (d 16, 4 heads, feed-forward
    32, dropout 0, batch first) in ModuleLists named enc and dec, Linear head; source id 0 is
    padding (src_key_padding_mask, memory_key_padding_mask), the decoder's self-attention causal."""

    def __init__(self, norm_first, activation):
        super().__init__()
        self.src_emb = nn.Embedding(6, 16)
        self.tgt_emb = nn.Embedding(6, 16)
        opts = dict(dim_feedforward=32, dropout=0.0, activation=activation, batch_first=True, norm_first=norm_first)
        self.enc = nn.ModuleList([nn.TransformerEncoderLayer(16, 4, **opts) for _ in range(2)])
        self.dec = nn.ModuleList([nn.TransformerDecoderLayer(16, 4, **opts) for _ in range(2)])
        self.head = nn.Linear(16, 6)
        jitter_affine(self)
        jitter_attention(self)

    def forward(self, src, tgt):
        pad = src == 0
        x = self.src_emb(src.long())
        for layer in self.enc:
            x = layer(x, src_key_padding_mask=pad)
        T = tgt.shape[1]
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        y = self.tgt_emb(tgt.long())
        for layer in self.dec:
            y = layer(y, x, tgt_mask=causal, memory_key_padding_mask=pad)
        return self.head(y)


def pad_ids(n, T, vocab=5):
    """token ids with some 0 (padding) keys, but never at position 0 (a causal query 0 must see a key)"""
    ids = torch.randint(0, vocab, (n, T), dtype=torch.int32)
    ids[:, 0] = torch.randint(1, vocab, (n,), dtype=torch.int32)
    return ids


def state_loss(r, y):
    """mse of the sequence output, plus terms on the final states (so their gradients count)"""
    out, h, c = r
    loss = F.mse_loss(out, y) + (h * h).mean()
    return loss + (c * 0.5).mean() if c is not None else loss


def sequence_ce(out, y):
    """cross_entropy over [N, T, C] logits and [N, T] labels: the mean over all N T positions."""
    return F.cross_entropy(out.reshape(-1, out.shape[-1]), y.long().reshape(-1))


def probabilities(n, width=3):
    """Targets for the binary cross entropies: uniform in [0, 1], every third row rounded to 0/1."""
    t = torch.rand(n, width)
    t[::3] = t[::3].round()
    return t


def penalty(model, l1, l2, per_layer):
    """The train section's `l1 a  l2 b`: a sum|w| + b sum w^2 over Linear and Conv weights, plus
    the layers' own `l1 =` / `l2 =` (per_layer: module name -> (l1, l2))."""
    total = 0
    for name, m in model.named_modules():
        if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d)):
            a, b = per_layer.get(name, (0, 0))
            if l1 + a:
                total = total + (l1 + a) * m.weight.abs().sum()
            if l2 + b:
                total = total + (l2 + b) * (m.weight * m.weight).sum()
    return total


def accuracy(logits, labels):
    """Count of argmax == label, as dlc's accuracy metric returns it."""
    return (logits.argmax(dim=-1) == labels.long()).sum().to(torch.float32)


# Per model: the module, how to make one batch (inputs and targets: name -> maker, in the order
# the module's forward and the loss take them), the loss (of the forward's result and the
# targets), the metrics, the optimizer, and the train-section lines the .dlm must contain
# (checked, so that the two cannot drift apart silently).  Optional: "prediction" picks dlc's
# output from the forward's result (default: all of it); "outputs" names several outputs (the
# .dlm's `output a, b`), each picked from the result; "l1" / "l2" the penalty weights.
SPECS = {
    "mlp_adam": dict(
        module=MlpAdam, batch=64,
        inputs={"image": lambda n: torch.rand(n, 1, 28, 28)},
        targets={"label": lambda n: torch.randint(0, 10, (n,), dtype=torch.int32)},
        loss=lambda out, y: F.cross_entropy(out, y.long()),
        metrics={"accuracy": accuracy},
        optimizer=lambda ps: torch.optim.Adam(ps, lr=1e-3),
        dlm_optimizer="Adam(lr = 1e-3)"),
    "acts_momentum": dict(
        module=ActsMomentum, batch=8,
        inputs={"x": lambda n: torch.randn(n, 12)},
        targets={"y": lambda n: torch.randn(n, 6) * 0.5},
        loss=F.mse_loss,
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.01),
        dlm_optimizer="SGD(lr = 0.05, momentum = 0.9, weight_decay = 0.01)"),
    "tiny_sgd": dict(
        module=TinySgd, batch=1,
        inputs={"x": lambda n: torch.randn(n, 7)},
        targets={"y": lambda n: torch.randint(0, 3, (n,), dtype=torch.int32)},
        loss=lambda out, y: F.cross_entropy(out, y.long()),
        metrics={"accuracy": accuracy},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1),
        dlm_optimizer="SGD(lr = 0.1)"),
    "conv2d_configs": dict(
        module=Conv2dConfigs, batch=1,
        inputs={"x": lambda n: torch.randn(n, 4, 11, 9)},
        targets={"y": lambda n: torch.randint(0, 5, (n,), dtype=torch.int32)},
        loss=lambda out, y: F.cross_entropy(out, y.long()),
        metrics={"accuracy": accuracy},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
        dlm_optimizer="SGD(lr = 0.1, momentum = 0.9)"),
    "conv1d_configs": dict(
        module=Conv1dConfigs, batch=4,
        inputs={"x": lambda n: torch.randn(n, 6, 25)},
        targets={"t": lambda n: torch.randn(n, 3, 4) * 0.5},
        loss=F.mse_loss,
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.05, weight_decay=0.01),
        dlm_optimizer="SGD(lr = 0.05, weight_decay = 0.01)"),
    "lenet": dict(
        module=LeNet, batch=16,
        inputs={"image": lambda n: torch.rand(n, 1, 28, 28)},
        targets={"label": lambda n: torch.randint(0, 10, (n,), dtype=torch.int32)},
        loss=lambda out, y: F.cross_entropy(out, y.long()),
        metrics={"accuracy": accuracy},
        optimizer=lambda ps: torch.optim.Adam(ps, lr=1e-3),
        dlm_optimizer="Adam(lr = 1e-3)"),
    "dropout_zero": dict(
        module=DropoutZero, batch=6,
        inputs={"x": lambda n: torch.randn(n, 3, 8, 8)},
        targets={"y": lambda n: torch.randint(0, 4, (n,), dtype=torch.int32)},
        loss=lambda out, y: F.cross_entropy(out, y.long()),
        metrics={"accuracy": accuracy},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.5),
        dlm_optimizer="SGD(lr = 0.1, momentum = 0.5)"),
    "norms": dict(
        module=Norms, batch=4,
        inputs={"x": lambda n: torch.randn(n, 3, 5, 4)},
        targets={"t": lambda n: torch.randn(n, 6) * 0.5},
        loss=F.mse_loss,
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
        dlm_optimizer="SGD(lr = 0.1, momentum = 0.9, weight_decay = 0.01)"),
    "losses": dict(
        module=Losses, batch=8,
        inputs={"x": lambda n: torch.randn(n, 5)},
        targets={"y": lambda n: torch.randint(0, 4, (n,), dtype=torch.int32), "b": probabilities},
        loss=losses_loss, prediction=lambda r: r[0], l1=0.001, l2=0.01,
        metrics={"accuracy": lambda out, y, b: accuracy(out, y)},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
        dlm_optimizer="SGD(lr = 0.1, momentum = 0.9)"),
    "losses_ce": dict(
        module=lambda: TwoLayer(6, 8, 5, "cls", torch.tanh), batch=8,
        inputs={"x": lambda n: torch.randn(n, 6)},
        # every class, 3 (weight 0) twice
        targets={"y": lambda n: torch.tensor([3, 0, 1, 2, 3, 4, 1, 0], dtype=torch.int32)},
        loss=lambda out, y: F.cross_entropy(out, y.long(), weight=torch.tensor([1, 2, 0.5, 0, 3]),
                                            label_smoothing=0.2),
        metrics={"accuracy": accuracy},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.5),
        dlm_optimizer="SGD(lr = 0.5)"),
    "losses_nll": dict(
        module=lambda: TwoLayer(6, 7, 4, "cls", F.gelu), batch=5,
        inputs={"x": lambda n: torch.randn(n, 3, 6)},
        targets={"y": lambda n: torch.randint(0, 4, (n, 3), dtype=torch.int32)},
        # nll_loss wants the classes on axis 1: [N, C, T]
        loss=lambda out, y: F.nll_loss(F.log_softmax(out, dim=-1).transpose(1, 2), y.long()),
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.5),
        dlm_optimizer="SGD(lr = 0.5)"),
    "losses_bce": dict(
        module=lambda: TwoLayer(5, 6, 3, "bin", torch.tanh, torch.sigmoid), batch=8,
        inputs={"x": lambda n: torch.randn(n, 5)},
        targets={"b": probabilities},
        loss=F.binary_cross_entropy,
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.5),
        dlm_optimizer="SGD(lr = 0.5)"),
    "losses_bce_logits": dict(
        module=lambda: TwoLayer(5, 6, 3, "bin", torch.tanh, lambda z: z * 6), batch=8,
        inputs={"x": lambda n: torch.randn(n, 5)},
        targets={"b": probabilities},
        loss=F.binary_cross_entropy_with_logits,
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.2),
        dlm_optimizer="SGD(lr = 0.2)"),
    "penalties": dict(
        module=Penalties, batch=4,
        inputs={"x": lambda n: torch.randn(n, 2, 7)},
        targets={"t": lambda n: torch.randn(n, 3) * 0.5},
        loss=F.mse_loss, l1=0.01, l2=0.05,
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1),
        dlm_optimizer="SGD(lr = 0.1)"),
    "penalties_layer": dict(
        module=Penalties, batch=4,
        inputs={"x": lambda n: torch.randn(n, 2, 7)},
        targets={"t": lambda n: torch.randn(n, 3) * 0.5},
        loss=F.mse_loss, l2=0.01, layer_penalties={"conv": (0.02, 0), "fc": (0, 0.03)},
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1),
        dlm_optimizer="SGD(lr = 0.1)"),
    "tensor_ops": dict(
        module=TensorOps, batch=3,
        inputs={"x": lambda n: torch.randn(n, 3, 4), "z": lambda n: torch.randn(n, 2, 4)},
        targets={"t": lambda n: torch.randn(n, 7) * 0.5},
        loss=F.mse_loss,
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1),
        dlm_optimizer="SGD(lr = 0.1)"),
    "blocks": dict(
        module=Blocks, batch=4,
        inputs={"img": lambda n: torch.randn(n, 2, 5, 4), "v": lambda n: torch.randn(n, 6)},
        targets={"y": lambda n: torch.randint(0, 3, (n,), dtype=torch.int32)},
        loss=lambda out, y: F.cross_entropy(out, y.long()),
        metrics={"accuracy": accuracy},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
        dlm_optimizer="SGD(lr = 0.1, momentum = 0.9)"),
    "rnn_lstm": dict(
        module=lambda: Recurrent("rnn", nn.LSTM(3, 5, num_layers=2, bidirectional=True, batch_first=True),
                                 "out", 2), batch=5,
        inputs={"x": lambda n: torch.randn(n, 37, 3)},
        targets={"y": lambda n: torch.randn(n, 37, 2) * 0.5},
        loss=F.mse_loss,
        metrics={},
        optimizer=lambda ps: torch.optim.Adam(ps, lr=1e-3),
        dlm_optimizer="Adam(lr = 1e-3)"),
    "rnn_blocks": dict(     # batch 37: three blocks of rows, on the pool's threads
        module=lambda: Recurrent("rnn", nn.LSTM(3, 32, bidirectional=True, batch_first=True), "out", 2),
        batch=37,
        inputs={"x": lambda n: torch.randn(n, 9, 3)},
        targets={"y": lambda n: torch.randn(n, 9, 2) * 0.5},
        loss=F.mse_loss,
        metrics={},
        optimizer=lambda ps: torch.optim.Adam(ps, lr=1e-3),
        dlm_optimizer="Adam(lr = 1e-3)"),
    "rnn_lstm_t1": dict(
        module=lambda: Recurrent("enc", nn.LSTM(4, 6, bidirectional=True, batch_first=True), "head", 3,
                                 sequences=False), batch=5,
        inputs={"x": lambda n: torch.randn(n, 1, 4)},
        targets={"y": lambda n: torch.randint(0, 3, (n,), dtype=torch.int32)},
        loss=lambda out, y: F.cross_entropy(out, y.long()),
        metrics={"accuracy": accuracy},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.5, momentum=0.9),
        dlm_optimizer="SGD(lr = 0.5, momentum = 0.9)"),
    "rnn_gru": dict(
        module=lambda: Recurrent("gru", nn.GRU(4, 6, batch_first=True), "head", 3, sequences=False), batch=1,
        inputs={"x": lambda n: torch.randn(n, 1, 4)},
        targets={"y": lambda n: torch.randint(0, 3, (n,), dtype=torch.int32)},
        loss=lambda out, y: F.cross_entropy(out, y.long()),
        metrics={"accuracy": accuracy},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1),
        dlm_optimizer="SGD(lr = 0.1)"),
    "rnn_gru_bi": dict(     # symbolic T in the .dlm; 37 here
        module=lambda: Recurrent("gru", nn.GRU(3, 4, num_layers=2, bidirectional=True, batch_first=True),
                                 "out", 2, sequences=False, act=torch.tanh), batch=5,
        inputs={"x": lambda n: torch.randn(n, 37, 3)},
        targets={"y": lambda n: torch.randn(n, 2) * 0.5},
        loss=F.mse_loss,
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
        dlm_optimizer="SGD(lr = 0.1, momentum = 0.9)"),
    "rnn_tanh": dict(
        module=lambda: Recurrent("rnn", nn.RNN(3, 6, num_layers=2, bidirectional=True, batch_first=True),
                                 "out", 2), batch=5,
        inputs={"x": lambda n: torch.randn(n, 37, 3)},
        targets={"y": lambda n: torch.randn(n, 37, 2) * 0.5},
        loss=F.mse_loss,
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1),
        dlm_optimizer="SGD(lr = 0.1)"),
    "rnn_tanh_t1": dict(
        module=lambda: Recurrent("rnn", nn.RNN(5, 3, num_layers=2, nonlinearity="tanh", bidirectional=True,
                                               batch_first=True), "head", 4, sequences=False), batch=1,
        inputs={"x": lambda n: torch.randn(n, 1, 5)},
        targets={"y": lambda n: torch.randint(0, 4, (n,), dtype=torch.int32)},
        loss=lambda out, y: F.cross_entropy(out, y.long()),
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1),
        dlm_optimizer="SGD(lr = 0.1)"),
    "rnn_relu": dict(
        module=lambda: Recurrent("rnn", nn.RNN(3, 6, num_layers=2, nonlinearity="relu", bias=False,
                                               batch_first=True), "out", 2), batch=1,
        inputs={"x": lambda n: torch.randn(n, 37, 3)},
        targets={"y": lambda n: torch.randn(n, 37, 2) * 0.5},
        loss=F.mse_loss,
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9),
        dlm_optimizer="SGD(lr = 0.05, momentum = 0.9)"),
    "rnn_state": dict(      # initial states in, final states out: 2 layers, bidirectional
        module=lambda: RecurrentState(nn.LSTM(3, 5, num_layers=2, bidirectional=True, batch_first=True), 6),
        batch=5,
        inputs={"x": lambda n: torch.randn(n, 9, 3), "z": lambda n: torch.randn(n, 6)},
        targets={"y": lambda n: torch.randn(n, 9, 10) * 0.5},
        loss=state_loss,
        outputs={"seq": lambda r: r[0], "h": lambda r: r[1], "c": lambda r: r[2]},
        metrics={},
        optimizer=lambda ps: torch.optim.Adam(ps, lr=1e-3),
        dlm_optimizer="Adam(lr = 1e-3)"),
    "rnn_state_gru": dict(  # GRU, one layer, T = 1 (one step, as a C program stepping a model)
        module=lambda: RecurrentState(nn.GRU(4, 6, batch_first=True), 3),
        batch=1,
        inputs={"x": lambda n: torch.randn(n, 1, 4), "z": lambda n: torch.randn(n, 3)},
        targets={"y": lambda n: torch.randn(n, 1, 6) * 0.5},
        loss=state_loss,
        outputs={"seq": lambda r: r[0], "h": lambda r: r[1]},
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
        dlm_optimizer="SGD(lr = 0.1, momentum = 0.9)"),
    "rnn_index": dict(      # symbolic T in the .dlm; 9 here
        module=Indexing, batch=4,
        inputs={"x": lambda n: torch.randn(n, 9, 3)},
        targets={"y": lambda n: torch.randint(0, 3, (n,), dtype=torch.int32)},
        loss=lambda out, y: F.cross_entropy(out, y.long()),
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
        dlm_optimizer="SGD(lr = 0.1, momentum = 0.9)"),
    "attn_self": dict(      # symbolic T, 7 here
        module=SelfAttention, batch=3,
        inputs={"x": lambda n: torch.randn(n, 7, 16)},
        targets={"y": lambda n: torch.randn(n, 7, 16) * 0.5},
        loss=lambda r, y: F.mse_loss(r[0], y) + (r[1] * r[1]).mean(),
        outputs={"out": lambda r: r[0], "w": lambda r: r[1]},
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
        dlm_optimizer="SGD(lr = 0.1, momentum = 0.9)"),
    "attn_mask": dict(      # symbolic T, 150 here: three key tiles of 64
        module=MaskedAttention, batch=2,
        inputs={"x": lambda n: torch.randn(n, 150, 12), "ids": lambda n: pad_ids(n, 150)},
        targets={"y": lambda n: torch.randn(n, 150, 12) * 0.5},
        loss=F.mse_loss,
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
        dlm_optimizer="SGD(lr = 0.1, momentum = 0.9)"),
    "attn_cross": dict(
        module=CrossAttention, batch=4,
        inputs={"q": lambda n: torch.randn(n, 5, 16), "k": lambda n: torch.randn(n, 9, 12),
                "v": lambda n: torch.randn(n, 9, 10),
                "len": lambda n: torch.tensor([9, 1, 4, 7][:n], dtype=torch.int32)},
        targets={"y": lambda n: torch.randn(n, 5, 3) * 0.5},
        loss=F.mse_loss,
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
        dlm_optimizer="SGD(lr = 0.1, momentum = 0.9)"),
    "positions": dict(      # symbolic T, 11 here
        module=Positions, batch=3,
        inputs={"ids": lambda n: torch.randint(0, 9, (n, 11), dtype=torch.int32)},
        targets={"y": lambda n: torch.randn(n, 11, 3) * 0.5},
        loss=F.mse_loss,
        metrics={},
        optimizer=lambda ps: torch.optim.Adam(ps, lr=1e-3),
        dlm_optimizer="Adam(lr = 1e-3)"),
    "transformer_post": dict(   # symbolic S and T: 8 and 6 here
        module=lambda: Seq2Seq(False, "relu"), batch=3,
        inputs={"src": lambda n: pad_ids(n, 8, 6), "tgt": lambda n: torch.randint(0, 6, (n, 6), dtype=torch.int32)},
        targets={"next": lambda n: torch.randint(0, 6, (n, 6), dtype=torch.int32)},
        loss=sequence_ce,
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
        dlm_optimizer="SGD(lr = 0.1, momentum = 0.9)"),
    "transformer_pre": dict(
        module=lambda: Seq2Seq(True, "gelu"), batch=3,
        inputs={"src": lambda n: pad_ids(n, 8, 6), "tgt": lambda n: torch.randint(0, 6, (n, 6), dtype=torch.int32)},
        targets={"next": lambda n: torch.randint(0, 6, (n, 6), dtype=torch.int32)},
        loss=sequence_ce,
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
        dlm_optimizer="SGD(lr = 0.1, momentum = 0.9)"),
    "rnn_embed": dict(      # symbolic T in the .dlm; 37 here; id 0 (the padding row) occurs
        module=lambda: Recurrent("lstm", nn.LSTM(4, 6, num_layers=2, batch_first=True), "head", 11,
                                 emb=nn.Embedding(11, 4, padding_idx=0)), batch=5,
        inputs={"ids": lambda n: torch.randint(0, 11, (n, 37), dtype=torch.int32)},
        targets={"next": lambda n: torch.randint(0, 11, (n, 37), dtype=torch.int32)},
        loss=sequence_ce,
        metrics={},
        optimizer=lambda ps: torch.optim.Adam(ps, lr=1e-3),
        dlm_optimizer="Adam(lr = 1e-3)"),
}


# ---- safetensors, by hand ---------------------------------------------------------------------
def write_safetensors(path, tensors):
    """Write {name: tensor} (f32/i32) as safetensors: u64 LE header size, JSON header padded
    with spaces to a multiple of 8, then the raw little-endian data; atomically."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        data = t.numpy().tobytes()          # numpy is little-endian on every platform we use
        header[name] = {"dtype": ST_DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


# ---- one model --------------------------------------------------------------------------------
def check_dlm(name, spec):
    """The .dlm's train section must say what the spec assumes (batch, optimizer, penalties)."""
    with open(os.path.join(MODELS_DIR, name + ".dlm")) as f:
        text = f.read()
    m = re.search(r"\bbatch\s+(\d+)", text)
    if not m or int(m.group(1)) != spec["batch"]:
        sys.exit(f"{name}.dlm: train section batch is not {spec['batch']}")
    if "optimizer " + spec["dlm_optimizer"] not in text:
        sys.exit(f"{name}.dlm: train section optimizer is not {spec['dlm_optimizer']}")
    section = text[re.search(r"^train\s*\{", text, re.M).start():]
    for key in ("l1", "l2"):
        m = re.search(rf"\b{key}\s+([0-9][0-9.eE+-]*)", section)
        if (float(m.group(1)) if m else 0) != spec.get(key, 0):
            sys.exit(f"{name}.dlm: train section {key} is not {spec.get(key, 0)}")


def put_outputs(data, spec, result):
    """The model's outputs: "output", or with several (spec outputs) each by its .dlm name."""
    if "outputs" not in spec:
        data["output"] = spec.get("prediction", lambda r: r)(result)
    for oname, fn in spec.get("outputs", {}).items():
        data[oname] = fn(result).detach().contiguous()


def make_fixture(name, spec, outdir):
    check_dlm(name, spec)
    torch.manual_seed(0)
    model = spec["module"]()
    n = spec["batch"]
    inputs = {k: make(n) for k, make in spec["inputs"].items()}
    targets = {k: make(n) for k, make in spec["targets"].items()}
    xs, ys = list(inputs.values()), list(targets.values())
    write_safetensors(os.path.join(outdir, name + ".weights.safetensors"), model.state_dict())
    initial = {k: t.clone() for k, t in model.state_dict().items()}
    prediction = spec.get("prediction", lambda r: r)

    def loss_of(result):
        loss = spec["loss"](result, *ys)
        if spec.get("l1") or spec.get("l2") or spec.get("layer_penalties"):
            loss = loss + penalty(model, spec.get("l1", 0), spec.get("l2", 0), spec.get("layer_penalties", {}))
        return loss

    data = {**inputs, **targets}
    # with buffers (BatchNorm), the output, eval loss and metrics in eval() mode
    buffers = len(list(model.buffers())) > 0
    if buffers:
        model.eval()
        with torch.no_grad():
            result = model(*xs)
            put_outputs(data, spec, result)
            data["eval.loss"] = loss_of(result).reshape([])
            for mname, fn in spec["metrics"].items():
                data["eval." + mname] = fn(prediction(result), *ys).reshape([])
        model.train()
    # forward (in train() mode), loss, metrics and gradients at the initial weights
    result = model(*xs)
    loss = loss_of(result)
    loss.backward()
    if not buffers:
        put_outputs(data, spec, result)
        for mname, fn in spec["metrics"].items():
            data[mname] = fn(prediction(result), *ys).reshape([])
    data["loss"] = loss.reshape([])
    for pname, p in model.named_parameters():
        data["grad." + pname] = p.grad.clone()

    # STEPS optimizer steps on the same batch, from the same initial weights and buffers
    model.load_state_dict(initial)
    opt = spec["optimizer"](model.parameters())
    for k in range(1, STEPS + 1):
        opt.zero_grad()
        loss = loss_of(model(*xs))
        loss.backward()
        opt.step()
        data[f"step{k}.loss"] = loss.detach().reshape([])
        for sname, t in model.state_dict().items():
            data[f"step{k}.{sname}"] = t.detach().clone()
    write_safetensors(os.path.join(outdir, name + ".data.safetensors"), data)
    print(f"{name}: batch {n}, {sum(p.numel() for p in model.parameters())} parameters, "
          f"{len(list(model.buffers()))} buffers, loss {data['loss'].item():.6f}")


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures"
    os.makedirs(outdir, exist_ok=True)
    torch.set_num_threads(1)     # one summation order, so the fixtures are reproducible
    dlms = sorted(f[:-4] for f in os.listdir(MODELS_DIR) if f.endswith(".dlm"))
    missing = [m for m in dlms if m not in SPECS]
    if missing:
        sys.exit(f"no torch module for {', '.join(missing)} (add it to SPECS)")
    for name in dlms:
        make_fixture(name, SPECS[name], outdir)


if __name__ == "__main__":
    main()
