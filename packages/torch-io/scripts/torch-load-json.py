#!/usr/bin/python3
"""Prints {path: tagged value} for each .pth given, read by the real torch.load (the torch-io writer tests use it)."""
import json, os, sys, types
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch
from tagged_json import tag

print(json.dumps({path: tag(torch.load(path, map_location='cpu')) for path in sys.argv[1:]}))
