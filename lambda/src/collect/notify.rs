//! The last stage: the topic is told of partial and failed runs, of changes since the
//! last run, and of scan coverage gaps; the message itself is pure.

use aws_config::SdkConfig;

use super::{run_error, CollectSettings, RunOutcome, RunStatus};
use crate::aws::describe;
use crate::changes::ChangeReport;

/// How many failures and changes a notification lists before saying how many more.
const NOTIFY_LINES: usize = 50;

/// Stage: tells the topic about partial and failed runs, and about changes.
pub(super) async fn notify(
    settings: &CollectSettings,
    base: &SdkConfig,
    mut outcome: RunOutcome,
    changes: Option<&ChangeReport>,
) -> RunOutcome {
    let changed = changes.is_some_and(|c| !c.changes.is_empty())
        || has_scan_gaps(&outcome)
        || has_exposure(&outcome);
    let Some(topic) = &settings.topic_arn else {
        return outcome;
    };
    if outcome.status == RunStatus::Ok && !changed {
        return outcome;
    }
    let (subject, text) = message(&outcome, changes);
    let sent = aws_sdk_sns::Client::new(base)
        .publish()
        .topic_arn(topic)
        .subject(subject)
        .message(text)
        .send()
        .await;
    if let Err(e) = sent {
        let message = format!("sns:Publish to {topic} failed: {}", describe(&e));
        tracing::error!(%message);
        outcome.errors.push(run_error("notify", message));
    }
    outcome
}

/// Assets not scanned, or scanned resources not in the inventory: a reviewer is told.
fn has_scan_gaps(outcome: &RunOutcome) -> bool {
    outcome
        .scan_coverage
        .as_ref()
        .is_some_and(|s| s.not_scanned + s.not_in_inventory > 0)
}

/// Ingress KSI-CNA-RNT flags (the internet on a port other than 80/443, or all
/// traffic): a reviewer is told.
fn has_exposure(outcome: &RunOutcome) -> bool {
    outcome.network.as_ref().is_some_and(|n| n.findings() > 0)
}

/// The notification's subject and text (pure).
pub fn message(outcome: &RunOutcome, changes: Option<&ChangeReport>) -> (&'static str, String) {
    let changed = changes.is_some_and(|c| !c.changes.is_empty());
    let subject = match outcome.status {
        RunStatus::Ok if !changed && has_scan_gaps(outcome) => {
            "FedRAMP inventory: scan coverage gaps"
        }
        RunStatus::Ok if !changed && has_exposure(outcome) => {
            "FedRAMP inventory: internet exposure (KSI-CNA-RNT)"
        }
        RunStatus::Ok => "FedRAMP inventory: changes since the last run",
        RunStatus::Partial => "FedRAMP inventory: partial run",
        RunStatus::Failed => "FedRAMP inventory: run failed",
    };
    let status = match outcome.status {
        RunStatus::Ok => "ok",
        RunStatus::Partial => "partial",
        RunStatus::Failed => "failed",
    };
    let mut text = format!("FedRAMP inventory run {status}: {} rows.\n", outcome.rows);
    if let Some(s) = &outcome.scan_coverage {
        text.push_str(&format!(
            "Scan coverage: {} of {} scannable assets scanned in the window; {} not scanned; {} scanned resources not in the inventory.\n",
            s.scanned, s.assets, s.not_scanned, s.not_in_inventory
        ));
    }
    if let Some(n) = &outcome.network {
        text.push_str(&format!(
            "Ports, protocols and services: {} on {} assets. KSI-CNA-RNT: {} open to the internet on a port other than 80/443, {} to all traffic from the internet (Ports Protocols Services sheet).\n",
            n.ports, n.attached_assets, n.internet_other_ports, n.internet_all_traffic
        ));
    }
    if let Some(kinds) = &outcome.resources {
        let counts: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
        text.push_str(&format!(
            "Information resources (scope: all): {} besides the rows ({}).\n",
            kinds.values().sum::<u64>(),
            if counts.is_empty() {
                "none".to_string()
            } else {
                counts.join(", ")
            }
        ));
    }
    if !outcome.errors.is_empty() {
        text.push_str("\nFailures:\n");
        for e in outcome.errors.iter().take(NOTIFY_LINES) {
            text.push_str(&format!(
                "- account {} region {} at {}: {}\n",
                e.account, e.region, e.stage, e.message
            ));
        }
        if outcome.errors.len() > NOTIFY_LINES {
            text.push_str(&format!(
                "... and {} more, all in the run result\n",
                outcome.errors.len() - NOTIFY_LINES
            ));
        }
    }
    if let Some(c) = changes {
        text.push_str(&format!("\nChanges: {}\n", c.headline()));
        for line in c.lines(NOTIFY_LINES) {
            text.push_str(&format!("- {line}\n"));
        }
    }
    // SNS takes 256 KB; long SDK messages could pass it even at 50 lines each.
    if text.len() > MAX_MESSAGE_BYTES {
        let mut cut = MAX_MESSAGE_BYTES;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str(
            "\n... (cut to fit a notification: every failure and change is in the run result)\n",
        );
    }
    if let Some(r) = &outcome.report {
        text.push_str(&format!(
            "\nReport: {}\n",
            r.s3_uri.as_deref().or(r.path.as_deref()).unwrap_or("")
        ));
    }
    (subject, text)
}

/// Room for the notification's text, well under SNS's 256 KB with the report's place.
const MAX_MESSAGE_BYTES: usize = 200_000;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::assemble::tests::denied;

    #[test]
    fn the_notification_lists_failures_and_changes_and_stays_bounded() {
        let mut outcome = RunOutcome::failed();
        outcome.status = RunStatus::Partial;
        for i in 0..(NOTIFY_LINES + 5) {
            outcome.errors.push(denied(i).1);
        }
        let changes = ChangeReport::first_run();
        let (subject, text) = message(&outcome, Some(&changes));
        assert_eq!(subject, "FedRAMP inventory: partial run");
        assert!(
            text.contains("... and 5 more, all in the run result"),
            "{text}"
        );
        assert!(text.contains("Changes: nothing to compare with"), "{text}");
    }

    #[test]
    fn internet_exposure_alone_is_told_under_its_own_subject() {
        let mut outcome = RunOutcome::failed();
        outcome.status = RunStatus::Ok;
        outcome.network = Some(crate::network::EvidenceCounts {
            ports: 9,
            attached_assets: 3,
            internet_other_ports: 2,
            ..Default::default()
        });
        assert!(has_exposure(&outcome));
        let (subject, text) = message(&outcome, None);
        assert_eq!(
            subject,
            "FedRAMP inventory: internet exposure (KSI-CNA-RNT)"
        );
        assert!(
            text.contains(
                "KSI-CNA-RNT: 2 open to the internet on a port other than 80/443, 0 to all traffic"
            ),
            "{text}"
        );
        outcome.network = Some(crate::network::EvidenceCounts::default());
        assert!(!has_exposure(&outcome));
    }

    #[test]
    fn scan_gaps_alone_are_told_under_their_own_subject() {
        let mut outcome = RunOutcome::failed();
        outcome.status = RunStatus::Ok;
        outcome.scan_coverage = Some(crate::scan::ScanCounts {
            assets: 4,
            scanned: 3,
            not_scanned: 1,
            ..Default::default()
        });
        assert!(has_scan_gaps(&outcome));
        let (subject, text) = message(&outcome, None);
        assert_eq!(subject, "FedRAMP inventory: scan coverage gaps");
        assert!(
            text.contains(
                "Scan coverage: 3 of 4 scannable assets scanned in the window; 1 not scanned"
            ),
            "{text}"
        );
    }

    #[test]
    fn information_resources_are_counted_by_type() {
        let mut outcome = RunOutcome::failed();
        outcome.status = RunStatus::Ok;
        let (_, text) = message(&outcome, None);
        assert!(!text.contains("Information resources"), "{text}");
        outcome.resources = Some(
            [
                ("AWS::IAM::Role".to_string(), 12),
                ("AWS::KMS::Key".to_string(), 3),
            ]
            .into_iter()
            .collect(),
        );
        let (_, text) = message(&outcome, None);
        assert!(
            text.contains(
                "Information resources (scope: all): 15 besides the rows (AWS::IAM::Role 12, AWS::KMS::Key 3)."
            ),
            "{text}"
        );
    }
}
