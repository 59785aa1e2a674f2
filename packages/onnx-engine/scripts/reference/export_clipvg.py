# The reference of issue 7's speed goal, "ONNX Runtime running an export of the PyTorch model": CLIP-VG ViT-B/16
# written from ../shared/spec/clip-vg.md in plain PyTorch (random weights; not the official code), exported the plain
# way (torch.onnx.export: all 77 text tokens, the 275-token fusion, no rewrites). Time it with time_export.cjs.
#   /usr/bin/python3 export_clipvg.py /tmp/ref-clipvg.onnx     (Debian python3-torch; ~2 min, 683 MB)
#   NODE_PATH=../../../../node_modules node time_export.cjs /tmp/ref-clipvg.onnx
import sys, torch, torch.nn as nn, torch.nn.functional as F
torch.manual_seed(0)

class QuickGELU(nn.Module):
    def forward(self, x): return x * torch.sigmoid(1.702 * x)

class Block(nn.Module):
    def __init__(s, w, h, mask=None):
        super().__init__()
        s.attn = nn.MultiheadAttention(w, h); s.ln_1 = nn.LayerNorm(w); s.ln_2 = nn.LayerNorm(w)
        s.mlp = nn.Sequential(nn.Linear(w, 4 * w), QuickGELU(), nn.Linear(4 * w, w)); s.mask = mask
    def forward(s, x):
        y = s.ln_1(x)
        x = x + s.attn(y, y, y, need_weights=False, attn_mask=s.mask)[0]
        return x + s.mlp(s.ln_2(x))

class Visual(nn.Module):
    def __init__(s):
        super().__init__()
        s.conv1 = nn.Conv2d(3, 768, 16, 16, bias=False)
        s.class_embedding = nn.Parameter(torch.randn(768) * 0.03)
        s.pos = nn.Parameter(torch.randn(197, 768) * 0.03)
        s.ln_pre = nn.LayerNorm(768)
        s.blocks = nn.ModuleList([Block(768, 12) for _ in range(12)])
    def forward(s, x):
        x = s.conv1(x).flatten(2).permute(0, 2, 1)
        x = torch.cat([s.class_embedding + torch.zeros(x.shape[0], 1, 768), x], 1) + s.pos
        x = s.ln_pre(x).permute(1, 0, 2)
        outs = []
        for i, b in enumerate(s.blocks):
            x = b(x)
            if i in (0, 3, 7, 11): outs.append(x)
        return torch.cat(outs, -1).permute(1, 0, 2)  # [B, 197, 3072]

class Text(nn.Module):
    def __init__(s):
        super().__init__()
        s.tok = nn.Embedding(49408, 512); s.pos = nn.Parameter(torch.randn(77, 512) * 0.01)
        mask = torch.full((77, 77), float('-inf')).triu(1)
        s.blocks = nn.ModuleList([Block(512, 8, mask) for _ in range(12)])
        s.ln_final = nn.LayerNorm(512); s.proj = nn.Parameter(torch.randn(512, 512) * 0.04)
    def forward(s, ids):
        x = (s.tok(ids) + s.pos).permute(1, 0, 2)
        for b in s.blocks: x = b(x)
        return s.ln_final(x.permute(1, 0, 2)) @ s.proj

class FusionLayer(nn.Module):
    def __init__(s, d=512):
        super().__init__()
        s.self_attn = nn.MultiheadAttention(d, 8); s.linear1 = nn.Linear(d, 2048); s.linear2 = nn.Linear(2048, d)
        s.norm1 = nn.LayerNorm(d); s.norm2 = nn.LayerNorm(d)
    def forward(s, src, pos, kpm):
        q = src + pos
        src = s.norm1(src + s.self_attn(q, q, src, key_padding_mask=kpm, need_weights=False)[0])
        return s.norm2(src + s.linear2(F.relu(s.linear1(src))))

class ClipVG(nn.Module):
    def __init__(s):
        super().__init__()
        s.visual = Visual(); s.text = Text()
        s.ml_visu_proj = nn.Linear(3072, 512); s.text_proj = nn.Linear(512, 512)
        s.reg = nn.Embedding(1, 512); s.vl_pos = nn.Embedding(275, 512)
        s.layers = nn.ModuleList([FusionLayer() for _ in range(6)])
        s.bbox = nn.Sequential(nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 4))
    def forward(s, image, image_mask, ids):
        B = image.shape[0]
        v = s.ml_visu_proj(s.visual(image))
        t = s.text_proj(s.text(ids))
        vmask = F.interpolate(image_mask[:, None].float(), size=(14, 14)).to(torch.bool).flatten(1)
        tmask = ids == 0
        kpm = torch.cat([torch.zeros(B, 1, dtype=torch.bool), tmask, torch.zeros(B, 1, dtype=torch.bool), vmask], 1)
        src = torch.cat([s.reg.weight.expand(B, 1, 512), t, v], 1).permute(1, 0, 2)
        pos = s.vl_pos.weight[:, None]
        for layer in s.layers: src = layer(src, pos, kpm)
        return s.bbox(src[0]).sigmoid()

model = ClipVG().eval()
B = 2
args = (torch.randn(B, 3, 224, 224), torch.zeros(B, 224, 224, dtype=torch.int64), torch.randint(1, 1000, (B, 77)))
with torch.no_grad():
    print(model(*args))
    torch.onnx.export(model, args, sys.argv[1], input_names=['image', 'image_mask', 'ids'], output_names=['boxes'],
                      dynamic_axes={'image': {0: 'b'}, 'image_mask': {0: 'b'}, 'ids': {0: 'b'}, 'boxes': {0: 'b'}}, opset_version=14)
print('exported')
