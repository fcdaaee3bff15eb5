#!/usr/bin/env python3
"""PyTorch CPU peer for `npm run bench`: MLP 784-128-10 trained with SGD+momentum.

Usage: torch_mlp.py --data .bench/mnist --epochs E --warmup 1 --batch 64 --threads T --interop I
                    [--blas-threads N]
Reads <data>-x.f32 (N x 784 float32 LE) and <data>-y.f32 (N float32 labels 0..9).
Prints ONE JSON line:
  {"peer":"pytorch","threads":T,"samplesPerSec":...,"finalLoss":...,"trainAcc":...,"torch":version}
finalLoss: mean batch loss over the last epoch; trainAcc: accuracy of the final model on all N.
--epochs counts all epochs; only the epochs after the first `warmup` are timed.
The loop is PyTorch's fast path: the whole set is a pre-made tensor, each epoch does one
randperm + index_select, and batches are contiguous views (no DataLoader, no per-batch copies).
Debian's torch (1.13, BLAS_INFO=generic) runs its matmuls in OpenBLAS, whose thread pool is
separate from torch.set_num_threads: --threads 1 still lets OpenBLAS use every core, and
--threads 2 on a 2-core machine oversubscribes it (OpenMP + OpenBLAS threads, ~5-8x slower).
--blas-threads N pins OpenBLAS; blasThreads in the output reports what it used.
"""
import argparse
import json
import os
import sys
import time


def blas_threads():
    """Threads of the OpenBLAS that Debian's torch calls for matmuls (it has its own pool,
    separate from torch.set_num_threads); None if torch does not use OpenBLAS."""
    try:
        import ctypes
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "libopenblas" in line}
        for lib in libs:
            return int(ctypes.CDLL(lib).openblas_get_num_threads())
    except Exception:
        pass
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=".bench/mnist")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--interop", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--blas-threads", type=int, default=None,
                    help="OPENBLAS_NUM_THREADS for Debian's torch (default: OpenBLAS's own choice)")
    a = ap.parse_args()
    if a.blas_threads is not None:
        os.environ["OPENBLAS_NUM_THREADS"] = str(a.blas_threads)  # read when libopenblas loads
    # numpy and torch both load the system OpenBLAS, so import them only now.
    import numpy as np
    import torch
    import torch.nn.functional as F
    from torch import nn

    # Must come before any parallel work (set_num_interop_threads may only be called once).
    torch.set_num_interop_threads(a.interop)
    torch.set_num_threads(a.threads)
    torch.set_default_dtype(torch.float32)
    torch.manual_seed(a.seed)

    x_np = np.fromfile(a.data + "-x.f32", dtype="<f4")
    y_np = np.fromfile(a.data + "-y.f32", dtype="<f4")
    n = y_np.shape[0]
    if x_np.size != n * 784:
        sys.exit(f"torch_mlp: {a.data}-x.f32 has {x_np.size} floats, expected {n}*784")
    X = torch.from_numpy(x_np.reshape(n, 784).copy())
    Y = torch.from_numpy(y_np.astype(np.int64))

    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    B = a.batch
    nb = n // B  # drop the last partial batch
    used = nb * B

    def epoch():
        perm = torch.randperm(n)[:used]
        xs = X.index_select(0, perm)
        ys = Y.index_select(0, perm)
        total = torch.zeros(())
        for i in range(nb):
            xb = xs[i * B:(i + 1) * B]
            yb = ys[i * B:(i + 1) * B]
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.detach()
        return total.item() / nb

    # --epochs counts every epoch, warmup included; only the last epochs - warmup are timed.
    timed = a.epochs - a.warmup
    if timed < 1:
        sys.exit(f"torch_mlp: --epochs ({a.epochs}) must exceed --warmup ({a.warmup})")
    last = float("nan")
    for _ in range(a.warmup):
        last = epoch()
    t0 = time.perf_counter()
    for _ in range(timed):
        last = epoch()
    dt = time.perf_counter() - t0

    with torch.no_grad():
        acc = (model(X).argmax(1) == Y).float().mean().item()

    print(json.dumps(separators=(",", ":"), obj={
        "peer": "pytorch",
        "threads": a.threads,
        "interop": a.interop,
        "samplesPerSec": (timed * used) / dt,
        "finalLoss": last,
        "trainAcc": acc,
        "torch": torch.__version__,
        "blasThreads": blas_threads(),
        "timedEpochs": timed,
        "samplesPerEpoch": used,
        "seconds": dt,
    }))


if __name__ == "__main__":
    main()
