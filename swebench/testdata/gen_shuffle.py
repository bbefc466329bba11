#!/usr/bin/env python3
"""Print reference shuffle orders for swebench/pyrandom_test.go.

Regenerate with (from the repository root, CPython 3.11):

    python3 swebench/testdata/gen_shuffle.py > swebench/testdata/shuffle_vectors.json

Each case builds n synthetic ids "repo__name-%d" (0 <= i < n), sorts them as
the seed does before shuffling, then applies random.Random(seed).shuffle.
It also records the first getrandbits outputs for each seed so the Mersenne
Twister seeding can be checked on its own, and "select" cases that apply the
seed's _filter_batch_items order (sort+shuffle, then re.match filter, then
slice) to 50 ids in dataset order 49..0.
"""
import json
import random
import re
import sys

SEEDS = [42, 0, 1, 12345, 2**40 + 3, -7, 2**70 + 5]
LENGTHS = [0, 1, 2, 3, 10, 500]


def case(seed, n):
    ids = sorted("repo__name-%d" % i for i in range(n))
    random.Random(seed).shuffle(ids)
    return {"seed": str(seed), "n": n, "shuffled": ids}


SELECTS = [
    # (shuffle, seed, filter, slice)
    (True, 42, r"repo__name-1", "1:5"),
    (True, 42, r"repo__name-(2|3)", "::-2"),
    (False, 42, r"repo__name-1", "3"),
    (True, 0, r".*", "-5:"),
    (True, 7, r"repo__name-4|repo__name-1", "2:8:3"),
    (False, 0, r"repo__name-\d$", ""),
]


def select(shuffle, seed, pattern, slc):
    ids = ["repo__name-%d" % i for i in reversed(range(50))]
    if shuffle:
        ids = sorted(ids)
        random.Random(seed).shuffle(ids)
    ids = [i for i in ids if re.match(pattern, i)]
    parts = [int(p) if p else None for p in slc.split(":")] if slc else [None, None]
    if len(parts) == 1:
        parts = [None, parts[0]]
    return ids[slice(*parts)]


def main():
    cases = [case(s, n) for s in SEEDS for n in LENGTHS]
    bits = []
    for s in SEEDS:
        r = random.Random(s)
        bits.append({"seed": str(s), "getrandbits32": [r.getrandbits(32) for _ in range(5)],
                     "getrandbits64": [r.getrandbits(64) for _ in range(3)]})
    selects = [{"shuffle": sh, "seed": sd, "filter": f, "slice": sl, "ids": select(sh, sd, f, sl)}
               for sh, sd, f, sl in SELECTS]
    out = {"python": sys.version.split()[0], "cases": cases, "bits": bits, "select": selects}
    json.dump(out, sys.stdout, indent=None, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
