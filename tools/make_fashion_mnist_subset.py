#!/usr/bin/python3
"""Writes data/fashion-mnist-subset: the first 2,000 training and the first 500 test images and labels of
Fashion-MNIST, as gzip-compressed IDX files with the standard names.

Usage: tools/make_fashion_mnist_subset.py [source-dir] [output-dir]
  source-dir  the full dataset (default /usr/share/datasets/fashion-mnist, from the Debian package
              dataset-fashion-mnist)
  output-dir  default data/fashion-mnist-subset next to this script's parent

Only the standard library is used. The output is reproducible: gzip level 9, no file name and a zero timestamp
in the gzip header, so running it again gives identical bytes.
"""

import gzip
import os
import struct
import sys

TRAIN_COUNT = 2000
TEST_COUNT = 500
FILES = [
    ("train-images-idx3-ubyte", TRAIN_COUNT),
    ("train-labels-idx1-ubyte", TRAIN_COUNT),
    ("t10k-images-idx3-ubyte", TEST_COUNT),
    ("t10k-labels-idx1-ubyte", TEST_COUNT),
]


def read_idx(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, type_code, rank = struct.unpack(">HBB", data[:4])
    if zero != 0 or type_code != 0x08:
        sys.exit(f"{path}: not an unsigned-byte IDX file")
    dims = list(struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank]))
    return dims, data[4 + 4 * rank:]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    source = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
    output = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "data", "fashion-mnist-subset")
    os.makedirs(output, exist_ok=True)
    for name, count in FILES:
        path = os.path.join(source, name + ".gz")
        if not os.path.exists(path):
            path = os.path.join(source, name)
        dims, values = read_idx(path)
        record = 1
        for d in dims[1:]:
            record *= d
        if dims[0] < count:
            sys.exit(f"{path}: holds {dims[0]} records; {count} needed")
        dims[0] = count
        header = struct.pack(">HBB", 0, 0x08, len(dims)) + struct.pack(">" + "I" * len(dims), *dims)
        target = os.path.join(output, name + ".gz")
        with open(target, "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=raw, mtime=0) as f:
                f.write(header + values[:count * record])
        print(f"{target}: {dims}")


if __name__ == "__main__":
    main()
