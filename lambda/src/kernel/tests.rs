//! The kernel on plain outcomes: batches in any order, problems, coverage.

use super::*;
use std::sync::mpsc::sync_channel;

fn origin(line: u64) -> Origin {
    Origin { line, path: None }
}

fn table(arn: &str) -> Outcome {
    let item = serde_json::json!({"resourceType": "AWS::DynamoDB::Table", "arn": arn,
        "accountId": "1", "awsRegion": "r", "configuration": {}});
    map_value(origin(1), Ok(item.into()), &MapContext::default())
}

#[test]
fn batches_are_taken_in_sequence_and_the_summary_is_finished() {
    let (tx, rx) = sync_channel(4);
    tx.send(Batch {
        seq: 1,
        input: 1,
        items: vec![table("b"), Outcome::Bad(origin(7), "not JSON".into())],
    })
    .unwrap();
    tx.send(Batch {
        seq: 0,
        input: 0,
        items: vec![table("a"), Outcome::Unsupported(origin(2), None)],
    })
    .unwrap();
    drop(tx);
    let gathered = gather(rx, vec!["one".into(), "two".into()], &Progress::default());
    let (inventory, summary) = gathered.finish(
        vec![
            InputStatus::read(),
            InputStatus::failed("partly read", "syntax error"),
        ],
        Utc::now(),
        None,
        None,
    );
    assert_eq!(inventory.row_count(), 2);
    assert_eq!(summary.items_read, 3);
    assert_eq!(summary.inputs[1].status, "partly read");
    assert_eq!(summary.unsupported["(no resourceType)"].first_seen, "one:2");
    let problems: Vec<String> = summary
        .diagnostics
        .entries()
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(
        problems,
        ["error: two: syntax error", "error: two:7: not JSON"],
        "read errors first, then item problems"
    );
}
