"""Prints what the official TransVG/CLIP-VG loader makes of a split file, one JSON line per row, in the format of
`clip-vg data inspect`. Used to produce the expected values in load.test.ts and data.test.ts.

Run with Debian's python3-torch (1.13):  /usr/bin/python3 official_records.py FILE DATASET
The box follows `pull_item`: np.array(bbox, dtype=int), then x2 = x + w, y2 = y + h outside referit/flickr.
"""
import json
import sys

import numpy as np
import torch


def official_records(path, dataset):
    for row in torch.load(path):
        if dataset == 'flickr' and len(row) == 3:
            image, bbox, phrase = row
        else:  # 5-tuples, and CLIP-VG's 6/7-element reliability lists keep the same positions
            image, bbox, phrase = row[0], row[2], row[3]
        box = np.array(bbox, dtype=int)
        if dataset not in ('referit', 'flickr'):
            box[2], box[3] = box[0] + box[2], box[1] + box[3]
        yield {'image': image, 'box': [int(v) for v in box], 'text': phrase}


if __name__ == '__main__':
    for record in official_records(sys.argv[1], sys.argv[2]):
        print(json.dumps(record, ensure_ascii=False, separators=(',', ':')))
