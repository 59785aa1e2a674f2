"""Generates the small weight-file fixtures of the clip-encoders weight tests (run with Debian's python3-torch 1.13):

  tiny-openai-fp16.pth  a tiny CLIP state dict in OpenAI naming, matrices in float16 as `clip.load` on CUDA
                        leaves them (embeddings and LayerNorms stay float32)
  tiny-openai-fp32.pth  the same values, all float32 (the reference the fp16 file must upcast to)
  tiny-torchscript.pt   a traced module holding the same fp16 weights under the same names, with a plain tensor
                        attribute `attn_mask` in each text block, laid out like OpenAI's TorchScript archives

Sizes: visual width 32, 3 layers, patch 8, 32 px; text width 16, 2 layers, context 12, vocabulary 50; embed 24.
The modules below exist only to give the archive that layout; they are not a CLIP implementation.
"""
from collections import OrderedDict
import torch
import torch.nn as nn

torch.manual_seed(0)


class Block(nn.Module):
    def __init__(self, width, mask=None):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, 2)
        self.ln_1 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(OrderedDict([('c_fc', nn.Linear(width, 4 * width)), ('c_proj', nn.Linear(4 * width, width))]))
        self.ln_2 = nn.LayerNorm(width)
        self.attn_mask = mask

    def forward(self, x):
        return x + sum(p.float().sum() for p in self.parameters())


class Tower(nn.Module):
    def __init__(self, width, layers, mask=None):
        super().__init__()
        self.resblocks = nn.Sequential(*[Block(width, mask) for _ in range(layers)])

    def forward(self, x):
        return self.resblocks(x)


class Visual(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 8, 8, bias=False)
        self.class_embedding = nn.Parameter(torch.randn(32))
        self.positional_embedding = nn.Parameter(torch.randn(17, 32))
        self.ln_pre = nn.LayerNorm(32)
        self.transformer = Tower(32, 3)
        self.ln_post = nn.LayerNorm(32)
        self.proj = nn.Parameter(torch.randn(32, 24))

    def forward(self, x):
        return self.transformer(x) + sum(p.float().sum() for p in self.parameters())


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.positional_embedding = nn.Parameter(torch.randn(12, 16))
        self.text_projection = nn.Parameter(torch.randn(16, 24))
        self.logit_scale = nn.Parameter(torch.tensor(4.6052))
        self.visual = Visual()
        self.transformer = Tower(16, 2, torch.full((12, 12), float('-inf')).triu(1))
        self.token_embedding = nn.Embedding(50, 16)
        self.ln_final = nn.LayerNorm(16)
        self.register_buffer('input_resolution', torch.tensor(32))
        self.register_buffer('context_length', torch.tensor(12))
        self.register_buffer('vocab_size', torch.tensor(50))

    def forward(self, x):
        return self.visual(x).sum() + self.transformer(x).sum()


model = Model().eval()
with torch.no_grad():
    for p in model.parameters():  # random LayerNorms too, so that every value is checked
        p.copy_(torch.randn_like(p) * 0.5)
    # What clip.load's convert_weights does on CUDA: linear/conv/attention matrices and projections to fp16.
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            m.half()
        if isinstance(m, nn.MultiheadAttention):
            m.in_proj_weight.data = m.in_proj_weight.data.half()
            m.in_proj_bias.data = m.in_proj_bias.data.half()
            m.out_proj.half()
    model.visual.proj.data = model.visual.proj.data.half()
    model.text_projection.data = model.text_projection.data.half()

state = OrderedDict((k, v.clone()) for k, v in model.state_dict().items())
torch.save(state, 'tiny-openai-fp16.pth')
torch.save(OrderedDict((k, v.float() if v.is_floating_point() else v) for k, v in state.items()), 'tiny-openai-fp32.pth')
torch.jit.trace(model, torch.zeros(1, 12, 16), check_trace=False).save('tiny-torchscript.pt')
print(len(state), 'tensors;', sum(v.dtype == torch.float16 for v in state.values()), 'in float16')
