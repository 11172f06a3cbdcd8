"""A small deterministic python3 workload: the interpreter's start-up (many
imports: stat, openat, mmap, read), then compute, files, compression and
threads. Every line it prints is the same on every run and machine."""
import concurrent.futures
import hashlib
import json
import os
import re
import sys
import zlib


def primes_below(n):
    sieve = bytearray([1]) * n
    sieve[0:2] = b"\0\0"
    for i in range(2, int(n ** 0.5) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytes(len(range(i * i, n, i)))
    return [i for i in range(n) if sieve[i]]


def text(lines):
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta"]
    return "".join(" ".join(words[(i * j) % 7] for j in range(1, 9)) + "\n"
                   for i in range(lines))


def files(work, data):
    """Write, fsync, list, read back and remove a few files."""
    work = os.path.join(work, "files")
    os.mkdir(work)
    paths = []
    for k in range(8):
        p = os.path.join(work, "chunk%d.txt" % k)
        with open(p, "w") as f:
            f.write(data[k::8])
            f.flush()
            os.fsync(f.fileno())
        paths.append(p)
    names = sorted(os.listdir(work))
    back = "".join(open(p).read() for p in paths)
    for p in paths:
        os.remove(p)
    os.rmdir(work)
    return names, back


def main():
    work = sys.argv[1]
    primes = primes_below(200000)
    print("primes", len(primes), primes[-1])
    data = text(5000)
    print("sha256", hashlib.sha256(data.encode()).hexdigest()[:16])
    packed = zlib.compress(data.encode(), 9)
    print("zlib", len(data), len(packed), zlib.decompress(packed) == data.encode())
    counts = {}
    for w in re.findall(r"[a-z]+", data):
        counts[w] = counts.get(w, 0) + 1
    print("json", json.dumps(sorted(counts.items())))
    names, back = files(work, data)
    print("files", len(names), sorted(back) == sorted(data))
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        sums = list(pool.map(lambda k: sum(p % (k + 2) for p in primes), range(8)))
    print("threads", sums)


if __name__ == "__main__":
    main()
