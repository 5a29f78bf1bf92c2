#!/usr/bin/env python3
"""The tour planner against PyVRP 0.14.1 on the same instances, in the same run: each
instance and seed is solved by `planner-bench` and then by PyVRP, one after the other, one
thread each, with the same time budget. Prints one line per run and the mean difference
per class (negative: cleanops is shorter).

    scripts/planner-vs-pyvrp.py [--seconds 10] [--seeds 1,2] [instances...]

Without instances, the six 400-customer Gehring & Homberger instances of
../shared/bench/vrptw. PyVRP comes from PyPI into a venv under the cargo target directory
(it is a benchmark reference, not a dependency of the product); distances follow the
DIMACS convention for both (floor(10 x Euclidean), times x 10).
"""
import argparse
import os
import pathlib
import re
import statistics
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
VENV = TARGET / "pyvrp-venv"
BENCH = ROOT.parent / "shared" / "bench" / "vrptw"
GH_400 = ["C1_4_1", "C2_4_1", "R1_4_1", "R2_4_1", "RC1_4_1", "RC2_4_1"]

# Runs inside the venv: reads a Solomon file, solves, prints "routes,distance,feasible".
PYVRP_RUN = r"""
import sys
import numpy as np
from pyvrp import Client, Depot, Location, ProblemData, VehicleType, solve
from pyvrp.stop import MaxRuntime

path, seconds, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
lines = [l.split() for l in open(path) if l.strip()]
for i, l in enumerate(lines):
    if l[0].upper() == "NUMBER":
        fleet, capacity = int(lines[i + 1][0]), int(lines[i + 1][1])
    if l[0].upper() == "CUST":
        rows = [list(map(float, r)) for r in lines[i + 1:]]
        break
xy = np.array([[r[1], r[2]] for r in rows])
matrix = np.floor(10 * np.sqrt(((xy[:, None] - xy[None, :]) ** 2).sum(-1))).astype(np.int64)
depot = rows[0]
data = ProblemData(
    [Location(x=r[1], y=r[2]) for r in rows],
    [Client(i + 1, delivery=[int(r[3])], service_duration=int(10 * r[6]),
            tw_early=int(10 * r[4]), tw_late=int(10 * r[5])) for i, r in enumerate(rows[1:])],
    [Depot(0, tw_early=int(10 * depot[4]), tw_late=int(10 * depot[5]))],
    [VehicleType(num_available=fleet, capacity=[capacity],
                 tw_early=int(10 * depot[4]), tw_late=int(10 * depot[5]))],
    [matrix], [matrix])
best = solve(data, stop=MaxRuntime(seconds), seed=seed, display=False).best
print(f"{best.num_routes()},{best.distance() / 10:.1f},{best.is_feasible()}")
"""


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw).stdout


def ensure_pyvrp():
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"installing PyVRP 0.14.1 into {VENV}", file=sys.stderr)
        run([sys.executable, "-m", "venv", str(VENV)])
        run([str(python), "-m", "pip", "install", "-q", "pyvrp==0.14.1"])
    return python


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seeds", default="1,2")
    parser.add_argument("instances", nargs="*")
    args = parser.parse_args()
    files = [pathlib.Path(i) for i in args.instances] or [BENCH / f"{n}.txt" for n in GH_400]
    seeds = [int(s) for s in args.seeds.split(",")]
    python = ensure_pyvrp()
    print("building planner-bench", file=sys.stderr)
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "planner-bench"],
                   cwd=ROOT, check=True)
    bench = TARGET / "release" / "planner-bench"
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    by_class = {}
    total = len(files) * len(seeds)
    print("instance,seed,cleanops vehicles,cleanops distance,pyvrp vehicles,pyvrp distance,"
          "difference %")
    for k, (path, seed) in enumerate(((f, s) for f in files for s in seeds), 1):
        print(f"[{k}/{total}] {path.stem} seed {seed}", file=sys.stderr)
        ours = run([str(bench), str(path), "--seconds", str(args.seconds), "--seed", str(seed)])
        _, our_vehicles, our_distance, _ = ours.strip().splitlines()[-1].split(",")
        theirs = run([str(python), "-c", PYVRP_RUN, str(path), str(args.seconds), str(seed)],
                     env=env)
        their_vehicles, their_distance, feasible = theirs.strip().split(",")
        if feasible != "True":
            sys.exit(f"{path.stem} seed {seed}: PyVRP found no feasible solution")
        difference = (float(our_distance) - float(their_distance)) / float(their_distance) * 100
        print(f"{path.stem},{seed},{our_vehicles},{our_distance},{their_vehicles},"
              f"{their_distance},{difference:+.2f}", flush=True)
        # Solomon's R101 and Gehring & Homberger's R1_4_1 are both of class R1.
        cls = re.match(r"[A-Z]+\d", path.stem.upper()).group(0)
        by_class.setdefault(cls, []).append(difference)
    print("\nclass  runs  mean difference  worst", file=sys.stderr)
    for cls, values in by_class.items():
        print(f"{cls:<6} {len(values):>4}  {statistics.mean(values):>+13.2f} %  "
              f"{max(values):+.2f} %", file=sys.stderr)
    every = [v for values in by_class.values() for v in values]
    print(f"{'all':<6} {len(every):>4}  {statistics.mean(every):>+13.2f} %  {max(every):+.2f} %",
          file=sys.stderr)


if __name__ == "__main__":
    main()
