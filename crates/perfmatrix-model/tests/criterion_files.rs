//! Reading criterion's files: every benchmark found generically, and bad files named precisely.

use std::fs;
use std::path::Path;

use perfmatrix_model::{ModelError, Throughput, read_criterion_dir};

fn write_bench(root: &Path, dir: &str, full_id: &str, sample: &str) {
    let new = root.join(dir).join("new");
    fs::create_dir_all(&new).unwrap();
    fs::write(
        new.join("benchmark.json"),
        format!(
            r#"{{"group_id":"g","function_id":null,"value_str":"v","throughput":{{"Elements":10}},"full_id":"{full_id}","directory_name":"{dir}","title":"{full_id}"}}"#
        ),
    )
    .unwrap();
    fs::write(new.join("sample.json"), sample).unwrap();
}

const GOOD: &str = r#"{"sampling_mode":"Linear","iters":[1.0,2.0,4.0],"times":[10.0,22.0,40.0]}"#;

#[test]
fn finds_every_benchmark_and_divides_by_iterations() {
    let dir = tempfile::tempdir().unwrap();
    write_bench(dir.path(), "decay/10000", "decay/10000", GOOD);
    write_bench(dir.path(), "cosine/768x1000", "cosine/768x1000", GOOD);
    write_bench(dir.path(), "new_group/deep/er", "new_group/deep/er", GOOD);
    fs::create_dir_all(dir.path().join("report")).unwrap();
    fs::create_dir_all(dir.path().join("decay/10000/base")).unwrap();
    let benches = read_criterion_dir(dir.path()).unwrap();
    let ids: Vec<_> = benches.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, ["cosine/768x1000", "decay/10000", "new_group/deep/er"]);
    assert_eq!(benches[0].per_iteration_ns, vec![10.0, 11.0, 10.0]);
    assert_eq!(benches[0].throughput, Some(Throughput::Elements(10)));
}

fn error_for(sample: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    write_bench(dir.path(), "k/1", "k/1", sample);
    read_criterion_dir(dir.path()).unwrap_err().to_string()
}

#[test]
fn malformed_samples_name_file_and_field() {
    let truncated = error_for(r#"{"sampling_mode":"Linear","iters":[1.0"#);
    assert!(
        truncated.contains("sample.json") && truncated.contains("not valid JSON"),
        "{truncated}"
    );
    let e = error_for(r#"{"iters":[1.0],"times":[]}"#);
    assert!(e.contains("sample.json") && e.contains("`times`"), "{e}");
    let e = error_for(r#"{"iters":[],"times":[]}"#);
    assert!(e.contains("`times`: is empty"), "{e}");
    let e = error_for(r#"{"iters":[1.0,1.0],"times":[5.0,0.0]}"#);
    assert!(e.contains("`times[1]`"), "{e}");
    let e = error_for(r#"{"iters":[1.0,1.0],"times":[5.0,-3.0]}"#);
    assert!(e.contains("`times[1]`"), "{e}");
    let e = error_for(r#"{"iters":[0.0],"times":[5.0]}"#);
    assert!(e.contains("`iters[0]`"), "{e}");
}

#[test]
fn an_id_that_would_escape_a_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_bench(dir.path(), "evil", "../../etc/passwd", GOOD);
    let err = read_criterion_dir(dir.path()).unwrap_err();
    assert!(
        matches!(err, ModelError::Field { ref field, .. } if field == "full_id"),
        "{err}"
    );
}

#[test]
fn a_missing_folder_is_a_read_error_naming_it() {
    let err = read_criterion_dir(Path::new("/nonexistent/criterion")).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/criterion"), "{err}");
}

#[test]
fn an_id_with_a_newline_or_nul_is_refused_and_shown_escaped() {
    for (json_id, shown) in [(r"a\nb", r"`a\nb`"), (r"x\u0000y", r"`x\0y`")] {
        let dir = tempfile::tempdir().unwrap();
        write_bench(dir.path(), "k", json_id, GOOD);
        let err = read_criterion_dir(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("benchmark.json") && err.contains("full_id") && err.contains(shown),
            "{err:?}"
        );
        assert!(
            !err.contains(['\n', '\0']),
            "raw control character in {err:?}"
        );
    }
}
