#!/usr/bin/env bash
# Fuzzing: runs each cargo-fuzz target of fuzz/ for SECONDS (default 60), one
# at a time, niced, one job, after seeding it from the test fixtures, the
# sample project and (when present) the real-docs corpus.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# Inputs that crash land in fuzz/artifacts/TARGET/; replay one with
# `cargo +nightly fuzz run TARGET FILE`. The growing corpus is fuzz/corpus/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
all=(front_matter include procedures diagnostics plan_diff)
targets=("${@:-${all[@]}}")
export CARGO_BUILD_JOBS=1
seeds=fuzz/seeds
corpus=../shared/corpus/octopus-docs

# Every project folder (one holding content/): the sample and the fixtures.
projects() {
  echo .
  find tests/fixtures -type d -name content -printf '%h\n' | sort
}

# The partials below `$1` that the files `$2...` include, and theirs (3 levels).
included() {
  local partials=$1 files=("${@:2}") names level
  [ -d "$partials" ] || return 0
  for level in 1 2 3; do
    names=$(grep -ho '^[[:space:]]*!include <[^>]*>' "${files[@]}" 2>/dev/null |
      sed 's/.*<\(.*\)>/\1/' | sort -u) || true
    [ -n "$names" ] || break
    mapfile -t files < <(for n in $names; do
      find "$partials" -path "*/${n#./}.md" -o -path "*/${n#./}.include.md"
    done | sort -u)
    printf '%s\n' "${files[@]}"
  done | sort -u
}

# project_inputs CONTENT PARTIALS OUT PREFIX: one multi-file input per page,
# the page then each partial it includes after a line `=== path` (see src/fuzzing.rs).
project_inputs() {
  local content=$1 partials=$2 out=$3 name=$4 page p
  find "$content" -name '*.md' | sort | while read -r page; do
    {
      cat "$page"
      included "$partials" "$page" | while read -r p; do
        [ -n "$p" ] || continue
        printf '\n=== %s\n' "${p#"$partials"/}"
        cat "$p"
      done
    } | head -c 65536 >"$out/$name-$(echo "${page#"$content"/}" | tr / _)"
  done
}

seed() {
  rm -rf "$seeds"
  mkdir -p "$seeds"/{front_matter,include,procedures,diagnostics,plan_diff}
  local i=0 dir md
  while read -r dir; do
    i=$((i + 1))
    project_inputs "$dir/content" "$dir/partials" "$seeds/include" "p$i"
    while read -r md; do
      cp "$md" "$seeds/front_matter/$i-$(basename "$md")"
    done < <(find "$dir/content" "$dir/partials" -name '*.md' 2>/dev/null | sort)
  done < <(projects)
  if [ -d "$corpus" ]; then
    project_inputs "$corpus/src/pages/docs" "$corpus/src/shared-content" "$seeds/include" corpus
    find "$corpus/src/shared-content" -name '*.md' | sort | head -40 |
      while read -r md; do cp "$md" "$seeds/front_matter/corpus-$(basename "$md")"; done
  fi
  cp "$seeds"/include/* "$seeds/procedures/"
  cp "$seeds"/front_matter/* "$seeds/diagnostics/"
  # plan pairs: each golden plan with the next one, and with itself
  local plans=() j
  mapfile -t plans < <(find tests/golden tests/fixtures -name '*.json' -path '*plan*' | sort)
  for j in "${!plans[@]}"; do
    local next=${plans[$(((j + 1) % ${#plans[@]}))]}
    { cat "${plans[$j]}"; printf '\0'; cat "$next"; } >"$seeds/plan_diff/pair-$j"
    { cat "${plans[$j]}"; printf '\0'; cat "${plans[$j]}"; } >"$seeds/plan_diff/same-$j"
  done
}

seed
cargo +nightly fuzz build -a
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target" fuzz/logs
  log="fuzz/logs/$target.log"
  before=$(find "fuzz/artifacts/$target" -type f | wc -l)
  began=$(date +%s)
  echo "== $target: $seconds s"
  nice -n 19 cargo +nightly fuzz run -a "$target" "fuzz/corpus/$target" "$seeds/$target" -- \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=65536 \
    -print_final_stats=1 >"$log" 2>&1 || echo "   $target stopped on a crash: see $log"
  # the last status line: runs so far, coverage, features, corpus, speed
  stats=$(grep -E '^#[0-9]+' "$log" | tail -1 | tr -s ' \t' ' ' || true)
  found=$(($(find "fuzz/artifacts/$target" -type f | wc -l) - before))
  line="$target $(($(date +%s) - began))s ${stats:-no stats} new-artifacts: $found"
  echo "   $line"
  echo "$(date -u +%FT%TZ) $line" >>fuzz/logs/summary.txt
done
