#!/usr/bin/env bash
# Compares a full runsheet build with Hugo's on the same generated pages
# (issue 10, "Speed and scale"), and prints each target beside its figure.
#
#   scripts/bench-compare.sh [--100k] [--runs N] [--dir DIR] [--out DIR]
#
# For 1,000 and 10,000 pages (and 100,000 with --100k, which takes long) it
# generates a project with examples/gen_corpus.rs, writes a minimal Hugo site
# over the same content folder (hugo.toml, layouts/_default/single.html and
# list.html; Hugo reads the same Markdown and front matter, and shows the
# `!include` lines and `:::` callouts as plain text, since they are
# runsheet's directives), then measures with hyperfine (warmup 1, N runs,
# default 3) a full build of each from an empty output folder, a second
# runsheet build with nothing changed, the peak memory and CPU use of one
# build of each with /usr/bin/time -v, and the sizes of sources and outputs.
# Each full build starts after `rm -rf OUT && sync`: without the sync, the
# deletion of the previous output is still being written back when the
# build starts. Even so, ext4 skips inodes freed in the last minute or so
# when it allocates new ones, so repeated builds of 50,000 files after
# removing 50,000 spend most of their time in the kernel: `--out
# /dev/shm/bench` (a tmpfs) puts both tools' outputs where that cost is
# gone, and measures the builds rather than the file system.
# Needs hugo, hyperfine and GNU time (apt-get install -y hugo hyperfine time).
# Not part of CI: run it by hand on a quiet machine.
set -euo pipefail

runs=3
sizes=(1000 10000)
dir=${TMPDIR:-/tmp}/runsheet-bench
outs=""
while [ $# -gt 0 ]; do
    case "$1" in
        --100k) sizes+=(100000) ;;
        --runs) runs=$2; shift ;;
        --dir) dir=$2; shift ;;
        --out) outs=$2; shift ;;
        -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done
for tool in hugo hyperfine /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench-compare: $tool is missing" >&2; exit 1; }
done

repo=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release --quiet --manifest-path "$repo/Cargo.toml" --bin runsheet \
    --example gen_corpus --example corpus_stats
bin=$repo/target/release
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
outs=${outs:-$dir}
mkdir -p "$outs"
export RUNSHEET_REVISION=""  # no git look-up: the same work on every run

# The minimal Hugo site over the content folder of project $1, in $2.
hugo_site() {
    mkdir -p "$2/layouts/_default"
    cat > "$2/hugo.toml" <<EOF
baseURL = "http://example.org/"
title = "Generated docs"
contentDir = "$1/content"
# content/index.md would make the home page a leaf bundle, which turns every
# other page into one of its resources, never rendered: Hugo's home is _index.md
ignoreFiles = ['/content/index\.md$']
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]
[markup.goldmark.renderer]
unsafe = true
EOF
    cat > "$2/layouts/_default/single.html" <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>
<meta name="description" content="{{ .Description }}"></head>
<body><nav><a href="{{ "/" | relURL }}">{{ site.Title }}</a></nav>
<main><h1>{{ .Title }}</h1>{{ .Content }}</main></body></html>
EOF
    cat > "$2/layouts/_default/list.html" <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main><h1>{{ .Title }}</h1>{{ .Content }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
</main></body></html>
EOF
}

# mean seconds of a hyperfine JSON export
mean() { python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["mean"])' "$1"; }

# "peak_mib cpu_percent" of one run of a command, from GNU time -v
peak() {
    /usr/bin/time -v "$@" >/dev/null 2>"$dir/time.txt" || { cat "$dir/time.txt" >&2; return 1; }
    awk -F': ' '/Maximum resident/ {rss=$2} /Percent of CPU/ {cpu=$2} END {printf "%d %s\n", rss/1024, cpu}' "$dir/time.txt"
}

declare -A R
for n in "${sizes[@]}"; do
    project=$dir/c$n
    [ -d "$project/content" ] || "$bin/examples/gen_corpus" "$project" "$n"
    hugo_site "$project" "$dir/hugo-$n"
    out=$outs/site-$n hout=$outs/public-$n
    rs="$bin/runsheet build -q --root $project --out $out"
    hg="hugo --quiet --source $dir/hugo-$n --destination $hout"
    echo "== $n pages: full builds" >&2
    hyperfine --style basic --warmup 1 --runs "$runs" \
        --prepare "rm -rf $out && sync" "$rs" --export-json "$dir/rs-$n.json" >&2
    hyperfine --style basic --warmup 1 --runs "$runs" \
        --prepare "rm -rf $hout && sync" "$hg" --export-json "$dir/hugo-$n.json" >&2
    echo "== $n pages: second runsheet build, nothing changed" >&2
    $rs
    hyperfine --style basic --warmup 1 --runs "$runs" "$rs" \
        --export-json "$dir/rs2-$n.json" >&2
    rm -rf "$out" "$hout" && sync
    read -r rs_mib rs_cpu < <(peak $rs)
    read -r hg_mib hg_cpu < <(peak $hg)
    R[$n,rs]=$(mean "$dir/rs-$n.json")
    R[$n,hugo]=$(mean "$dir/hugo-$n.json")
    R[$n,rs2]=$(mean "$dir/rs2-$n.json")
    R[$n,rs_mib]=$rs_mib R[$n,hg_mib]=$hg_mib R[$n,rs_cpu]=$rs_cpu R[$n,hg_cpu]=$hg_cpu
    R[$n,hugo_out]=$(du -sb "$hout" | cut -f1)
    while IFS='=' read -r key value; do R[$n,$key]=$value; done \
        < <("$bin/examples/corpus_stats" "$project" "$out")
done

# the table: one column per size
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('%.2f' % (a/b if b else 0))" "$1" "$2"; }
row() { local name=$1 target=$2; shift 2; printf '| %-40s |' "$name"; for v in "$@"; do printf ' %12s |' "$v"; done; printf ' %-14s |\n' "$target"; }
printf '\nrunsheet %s, hugo %s; %s runs each after 1 warmup; outputs in %s (%s); %s\n\n' \
    "$("$bin/runsheet" --version | cut -d' ' -f2)" "$(hugo version | cut -d' ' -f2)" "$runs" \
    "$outs" "$(df --output=fstype "$outs" | tail -1)" "$(uptime | sed 's/.*load/load/')"
row "pages" "target" "${sizes[@]}"
printf '|%s|' "$(printf -- '-%.0s' {1..42})"; for n in "${sizes[@]}"; do printf -- '-------------:|'; done; printf -- '----------------|\n'
vals() { local key=$1; for n in "${sizes[@]}"; do printf '%s\n' "${R[$n,$key]}"; done; }
row "runsheet full build (s)" "" $(vals rs)
row "hugo build (s)" "" $(vals hugo)
row "runsheet / hugo" "≤ 0.33 at 10k" $(for n in "${sizes[@]}"; do ratio "${R[$n,rs]}" "${R[$n,hugo]}"; done)
row "runsheet ms per page" "flat ±30%" $(for n in "${sizes[@]}"; do ratio "${R[$n,rs]}e3" "$n"; done)
row "hugo ms per page" "" $(for n in "${sizes[@]}"; do ratio "${R[$n,hugo]}e3" "$n"; done)
row "runsheet peak memory (MiB)" "≤ 200 at 10k" $(vals rs_mib)
row "hugo peak memory (MiB)" "" $(vals hg_mib)
row "runsheet CPU use (of 200% on 2 cores)" "both cores" $(vals rs_cpu)
row "hugo CPU use" "" $(vals hg_cpu)
row "second build, nothing changed (s)" "" $(vals rs2)
row "second / first build" "≤ 0.15" $(for n in "${sizes[@]}"; do ratio "${R[$n,rs2]}" "${R[$n,rs]}"; done)
row "plan / expanded page source, median" "≤ 3" $(vals plan_ratio_median)
row "plan / expanded page source, largest" "" $(vals plan_ratio_max)
row "source, pages + partials (MB)" "" $(for n in "${sizes[@]}"; do ratio "${R[$n,source_bytes]}" 1e6; done)
row "runsheet output (MB)" "" $(for n in "${sizes[@]}"; do ratio "${R[$n,output_bytes]}" 1e6; done)
row "runsheet output / source" "≤ 6" $(for n in "${sizes[@]}"; do ratio "${R[$n,output_bytes]}" "${R[$n,source_bytes]}"; done)
row "hugo output / source" "" $(for n in "${sizes[@]}"; do ratio "${R[$n,hugo_out]}" "${R[$n,source_bytes]}"; done)
