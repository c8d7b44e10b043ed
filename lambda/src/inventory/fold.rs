//! The network interfaces and Elastic IPs that repeat an asset already listed.

use super::*;

/// Leaves out (rank `u32::MAX`) the interfaces and Elastic IPs that repeat an asset
/// that is listed; returns the reason for each. Interfaces are decided first, so an
/// Elastic IP on an interface that stays listed is folded into that interface.
pub(super) fn fold_repeats<'p>(
    pool: &'p StringPool,
    assets: &[StoredAsset],
    values: &[Sym],
    rows: &[Row],
    folds: &[(u32, Fold)],
    rank: &mut [u32],
) -> Vec<&'static str> {
    use std::collections::HashSet;
    let mut reasons = Vec::new();
    if folds.is_empty() {
        return reasons;
    }
    let candidate: HashSet<u32> = folds.iter().map(|(a, _)| *a).collect();
    let place = |a: u32| {
        let s = &assets[a as usize];
        (s.account, s.region)
    };
    // The identifiers (and their last part: `…/eni-1` is `eni-1`) and the addresses
    // of every listed asset that is not itself a candidate.
    let mut ids: HashSet<(Sym, Sym, &'p str)> = HashSet::new();
    let mut addresses: HashSet<(Sym, Sym, &'p str)> = HashSet::new();
    let listed = |a: u32, rank: &[u32]| rank[a as usize] != u32::MAX;
    let add_id = |ids: &mut HashSet<(Sym, Sym, &'p str)>, a: u32| {
        let (acc, reg) = place(a);
        let id = pool.get(cell(values, &assets[a as usize], Field::AssetId));
        ids.insert((acc, reg, id));
        ids.insert((acc, reg, id.rsplit('/').next().unwrap_or(id)));
    };
    for (i, _) in assets.iter().enumerate() {
        let a = i as u32;
        if listed(a, rank) && !candidate.contains(&a) {
            add_id(&mut ids, a);
        }
    }
    for row in rows {
        if row.ip != Sym(0) && listed(row.asset, rank) && !candidate.contains(&row.asset) {
            let (acc, reg) = place(row.asset);
            addresses.insert((acc, reg, pool.get(row.ip)));
        }
    }
    // Rows are still in the order they were added: each asset's are adjacent, and
    // assets come in index order, so an asset's rows are found by bisection.
    let own_addresses = |a: u32| -> Vec<&'p str> {
        let first = rows.partition_point(|r| r.asset < a);
        rows[first..]
            .iter()
            .take_while(|r| r.asset == a)
            .filter(|r| r.ip != Sym(0))
            .map(|r| pool.get(r.ip))
            .collect()
    };
    let interfaces = folds
        .iter()
        .filter(|(_, f)| !matches!(f, Fold::AssociatedWith(_)));
    let elastic_ips = folds
        .iter()
        .filter(|(_, f)| matches!(f, Fold::AssociatedWith(_)));
    for (a, fold) in interfaces.chain(elastic_ips) {
        if !listed(*a, rank) {
            continue;
        }
        let (acc, reg) = place(*a);
        let mine = own_addresses(*a);
        let all_listed =
            !mine.is_empty() && mine.iter().all(|ip| addresses.contains(&(acc, reg, *ip)));
        let owner_listed = |o: Option<&str>| o.is_some_and(|o| ids.contains(&(acc, reg, o)));
        let fold_it = match fold {
            Fold::AttachedTo(owner) => owner_listed(Some(owner)),
            Fold::ManagedByService => all_listed,
            Fold::AssociatedWith(owner) => owner_listed(owner.as_deref()) || all_listed,
        };
        if fold_it {
            rank[*a as usize] = u32::MAX;
            reasons.push(fold.reason());
        } else {
            // Listed after all: later candidates may repeat it.
            add_id(&mut ids, *a);
            for ip in mine {
                addresses.insert((acc, reg, ip));
            }
        }
    }
    reasons
}
