//! The sample server's line protocol and the counting mode, driven in-process on a tiny harness.

use perfmatrix_harness::{Harness, Plant, Routine, serve::serve};

fn harness() -> Harness {
    let mut h = Harness::new();
    h.dispatch(|| vec![("sum".to_owned(), "portable".to_owned())]);
    h.bench("sum/100", |_| {
        Routine::new((0..100_u64).collect::<Vec<_>>(), |v| {
            std::hint::black_box(v.iter().sum::<u64>());
        })
    });
    h.bench("sum/reset", |_| {
        Routine::new(vec![0_u64; 10], |v| v[0] += 1).with_reset(|v| v[0] = 0)
    });
    h
}

fn session(requests: &str) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    serve(&harness(), &Plant::default(), requests.as_bytes(), &mut out).unwrap();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_session_lists_prepares_and_times() {
    let answers = session("list\ndispatch\nprepare sum/100\ntime 10\ntime 1\nquit\nlist\n");
    assert_eq!(answers[0]["protocol"], 1);
    assert_eq!(
        answers[1]["ids"],
        serde_json::json!(["sum/100", "sum/reset"])
    );
    assert_eq!(answers[2]["dispatch"]["sum"], "portable");
    assert_eq!(answers[3]["prepared"], "sum/100");
    assert!(answers[4]["ns"].as_u64().unwrap() > 0);
    assert!(answers[5]["ns"].is_u64());
    // Nothing after `quit` is answered.
    assert_eq!(answers.len(), 6);
}

#[test]
fn bad_requests_get_errors_and_the_server_goes_on() {
    let answers =
        session("time 5\nprepare nope/1\nprepare sum/reset\ntime 0\ntime x\nfly\n\ntime 3\n");
    let errors: Vec<&str> = answers[1..6]
        .iter()
        .map(|a| a["error"].as_str().unwrap_or(""))
        .collect();
    assert!(errors[0].contains("nothing prepared"), "{errors:?}");
    assert!(
        errors[1].contains("unknown benchmark id \"nope/1\""),
        "{errors:?}"
    );
    assert!(answers[3]["prepared"] == "sum/reset");
    assert!(errors[3].contains("whole number > 0"), "{errors:?}");
    assert!(errors[4].contains("whole number > 0"), "{errors:?}");
    assert!(
        answers[6]["error"]
            .as_str()
            .unwrap()
            .contains("unknown request")
    );
    // The blank line is skipped; the server still times after all that.
    assert!(answers[7]["ns"].is_u64());
    assert_eq!(answers.len(), 8);
}

#[test]
#[should_panic(expected = "registered twice")]
fn duplicate_ids_are_a_bug_in_the_bench_file() {
    let mut h = harness();
    h.bench("sum/100", |_| Routine::new((), |()| {}));
}

#[test]
fn usage_errors_exit_2() {
    let h = harness();
    assert_eq!(h.run_with(&["--perfmatrix-count".to_owned()]), 2);
    assert_eq!(
        h.run_with(&["--perfmatrix-count".to_owned(), "nope".to_owned()]),
        2
    );
    assert_eq!(
        h.run_with(&["--perfmatrix-count".to_owned(), "sum/100".to_owned()]),
        0
    );
    assert_eq!(h.run_with(&["--perfmatrix-list".to_owned()]), 0);
    assert_eq!(
        h.run_with(&["--perfmatrix-count-each".to_owned(), "sum/100".to_owned()]),
        2,
        "the ids of count-each come on standard input"
    );
}
