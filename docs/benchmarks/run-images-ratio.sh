#!/usr/bin/env bash
# Fresh-process timings of `immiplan run` with and without images, for two source trees,
# interleaved (docs/benchmarks.md, "immiplan run with images, as a ratio to --no-images").
# Run from the repository root with the virtual environment active:
#   git archive 1b2a3eb src | tar -x -C /tmp/immiplan-base
#   BASE=/tmp/immiplan-base/src NEW=src docs/benchmarks/run-images-ratio.sh
# Prints "round tree mode seconds" lines; compare each tree's images / no-images ratio.
set -euo pipefail
BASE=$(realpath "${BASE:?the source tree before}")
NEW=$(realpath "${NEW:-src}")
work=$(mktemp -d)
cd "$work"
for round in 1 2 3; do
  for tree in base new; do
    src=$BASE; [ "$tree" = new ] && src=$NEW
    for mode in images no-images; do
      flag=(); [ "$mode" = no-images ] && flag=(--no-images)
      rm -rf "out-$tree-$mode"
      start=$(date +%s.%N)
      PYTHONPATH=$src python -m immiplan run --lang en --out "out-$tree-$mode" "${flag[@]}" \
        >/dev/null 2>&1
      end=$(date +%s.%N)
      echo "$round $tree $mode $(echo "$end - $start" | bc)"
    done
  done
done
rm -rf "$work"
