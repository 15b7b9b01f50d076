//! Builds of a generated 200-page project (`runsheet::corpus`): the output is byte-identical whatever the number of threads, a second build changes nothing, and plan files are one line of compact JSON: what `runsheet plan --compact` prints, and the plan `runsheet plan` prints expanded.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use runsheet::corpus::Corpus;

/// Every file under `dir` by relative path; the marker's lines without the
/// modification times, which only say when a file was written.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            let rel = rel.to_string_lossy().replace('\\', "/");
            let bytes = fs::read(e.path()).unwrap();
            let bytes = if rel == runsheet::internals::MARKER {
                without_times(&bytes)
            } else {
                bytes
            };
            (rel, bytes)
        })
        .collect()
}

/// `<sha256> <size> <mtime>  <path>` lines as `<sha256> <size>  <path>`.
fn without_times(marker: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(marker);
    let mut out = String::new();
    for line in text.lines() {
        match line.split_once("  ") {
            Some((head, path)) if !line.starts_with('#') => {
                let kept: Vec<&str> = head.split(' ').take(2).collect();
                out.push_str(&format!("{}  {path}\n", kept.join(" ")));
            }
            _ => out.push_str(&format!("{line}\n")),
        }
    }
    out.into_bytes()
}

fn build(root: &Path, out: &Path, threads: Option<&str>) {
    let mut cmd = Command::cargo_bin("runsheet").unwrap();
    cmd.args(["build", "-q", "--root"])
        .arg(root)
        .arg("--out")
        .arg(out)
        .env("RUNSHEET_REVISION", "r1")
        .env_remove("RAYON_NUM_THREADS");
    if let Some(n) = threads {
        cmd.env("RAYON_NUM_THREADS", n);
    }
    cmd.assert().success();
}

#[test]
fn output_is_the_same_on_one_thread_and_on_many() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("project");
    Corpus::new(200, 7).write(&root).unwrap();
    let one = tmp.path().join("one");
    build(&root, &one, Some("1"));
    let reference = tree(&one);
    assert!(reference.len() > 800, "{} files", reference.len());
    for threads in [None, Some("2"), Some("5")] {
        let out = tmp
            .path()
            .join(format!("out-{}", threads.unwrap_or("default")));
        build(&root, &out, threads);
        let got = tree(&out);
        let differing: Vec<&String> = reference
            .keys()
            .chain(got.keys())
            .filter(|k| reference.get(*k) != got.get(*k))
            .collect();
        assert!(
            differing.is_empty(),
            "threads {threads:?}: {} files differ from a one-thread build, first {:?}",
            differing.len(),
            differing.first()
        );
    }
}

#[test]
fn a_second_build_changes_nothing_and_plans_are_compact() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("project");
    Corpus::new(200, 3).write(&root).unwrap();
    let out = tmp.path().join("site");
    build(&root, &out, None);
    let marker = out.join(runsheet::internals::MARKER);
    let before = fs::metadata(&marker).unwrap().modified().unwrap();
    let first = fs::read(&marker).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    build(&root, &out, None);
    assert_eq!(fs::read(&marker).unwrap(), first);
    assert_eq!(fs::metadata(&marker).unwrap().modified().unwrap(), before);
    let mut siblings: Vec<String> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    siblings.sort();
    assert_eq!(
        siblings,
        [".site.runsheet-cache", "project", "site"],
        "no stage left beside the output, only the cache"
    );

    // a plan file is one line of JSON: `runsheet plan --compact` prints it
    // pretty, byte for byte the same apart from the whitespace, and
    // `runsheet plan` prints the same plan expanded
    let name = "area-3/topic-0/page-3";
    let file = fs::read_to_string(out.join(format!("plans/{name}.json"))).unwrap();
    assert_eq!(file.lines().count(), 1);
    assert!(file.ends_with("}\n"));
    let print = |flags: &[&str]| {
        let out = Command::cargo_bin("runsheet")
            .unwrap()
            .args(["plan", "-q", name])
            .args(flags)
            .arg("--root")
            .arg(&root)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let compact = print(&["--compact"]);
    assert!(compact.starts_with("{\n  \"schema_version\": 3,\n  \"files\": ["));
    assert_eq!(minified(&compact), file);
    let expanded = print(&[]);
    assert!(expanded.starts_with("{\n  \"schema_version\": 3,\n  \"page\": {"));
    assert!(expanded.len() > compact.len());
    let a: runsheet::plan::Plan = serde_json::from_str(&file).unwrap();
    let b: runsheet::plan::Plan = serde_json::from_str(&expanded).unwrap();
    assert_eq!(
        runsheet::internals::plan_as_v2(&a),
        runsheet::internals::plan_as_v2(&b)
    );
}

/// `json` without the whitespace between its tokens (strings kept as they
/// are), ending with a newline like a plan file.
fn minified(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if !c.is_ascii_whitespace() {
            in_string = c == '"';
            out.push(c);
        }
    }
    out.push('\n');
    out
}
