#!/usr/bin/env python3
"""bench/gen-tree.py DIR FILES MB: a build context of FILES files totalling about MB megabytes,
in a tree of directories a little like node_modules (two levels, about a thousand files per leaf
directory), with the odd names a reproducible tar must order right: a file next to a directory of
the same name plus a suffix (`x.txt` beside `x/`), names with spaces, dashes and dots, empty files,
symlinks and a few hard links. The same arguments give the same tree (names, sizes, bytes); it is
made once: DIR/.complete marks it done.
"""
import os
import random
import sys


def main():
    top, files, mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    if os.path.exists(os.path.join(top, ".complete")):
        return
    rng = random.Random(files * 1000003 + mb)
    pool = rng.randbytes(4 * 1024 * 1024)  # contents are slices of this, at random offsets
    per_dir = 1000 if files >= 10000 else 100
    dirs = max(1, files // per_dir)
    fan = max(1, int(dirs ** 0.5))
    mean = mb * 1024 * 1024 // files
    made = 0
    tree = os.path.join(top, "tree")
    os.makedirs(tree, exist_ok=True)
    for d in range(dirs):
        # a directory, and a file beside it whose name extends the directory's with '.', '-', ' '
        parent = os.path.join(tree, "pkg%03d" % (d % fan))
        leaf = os.path.join(parent, "mod%04d" % d)
        os.makedirs(leaf, exist_ok=True)
        for sibling in ("mod%04d.json" % d, "mod%04d-lock" % d):
            with open(os.path.join(parent, sibling), "wb") as f:
                f.write(pool[:64])
            made += 1
        n = per_dir if d < dirs - 1 else files - made
        for i in range(max(0, n - 2)):
            name = ("f%05d.js" % i) if i % 10 else ("f%05d x.js" % i)
            size = 0 if i % 97 == 0 else rng.randint(mean // 2, mean * 3 // 2)
            off = rng.randrange(0, len(pool) - size) if size < len(pool) else 0
            with open(os.path.join(leaf, name), "wb") as f:
                f.write(pool[off:off + size])
            made += 1
        if d % 50 == 0:
            os.symlink("f00001.js", os.path.join(leaf, "link.js"))
            os.link(os.path.join(leaf, "f00002.js"), os.path.join(leaf, "hard.js"))
            made += 2
        if made >= files:
            break
    with open(os.path.join(top, "Containerfile"), "w") as f:
        f.write("FROM scratch\nCOPY tree /data\n")
    open(os.path.join(top, ".complete"), "w").close()


main()
