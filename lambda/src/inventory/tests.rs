use super::*;

fn asset(account: &str, region: &str, kind: &str, id: &str, ips: &[&str]) -> Asset {
    let mut a = Asset::default();
    a.set_account(account);
    a.set_region(region);
    a.set(Field::AssetType, kind);
    a.set(Field::AssetId, id);
    a.set(Field::Virtual, "Yes");
    for ip in ips {
        a.add_address(ip, Some("mac"));
    }
    a
}

fn listing(inv: &Inventory) -> Vec<String> {
    inv.rows()
        .map(|r| {
            format!(
                "{}|{}|{}",
                r.get(Field::AssetId),
                r.get(Field::Ip),
                r.get(Field::Mac)
            )
        })
        .collect()
}

/// Identifiers that share a long beginning (ARNs), are prefixes of one another or
/// differ only past their first bytes are listed in text order, and a repeated one
/// is found, whatever order they arrive in.
#[test]
fn identifiers_are_ordered_by_their_whole_text() {
    let base = "arn:aws-us-gov:dynamodb:us-gov-west-1:111111111111:table/t";
    let ids = [
        format!("{base}-000010"),
        format!("{base}-00001"),
        format!("{base}-000002"),
        format!("{base}-00001"),
        base.to_string(),
        format!("{base}-000010x"),
        "a".to_string(),
        String::new(),
        // Alone in their group, sharing the first byte of different characters.
        "é".to_string(),
        "ê".to_string(),
    ];
    let region = |i: usize| match i {
        6 => "us-east-1",
        8.. => "eu-west-1",
        _ => "us-west-2",
    };
    let mut inv = Inventory::new();
    for (i, id) in ids.iter().enumerate() {
        inv.add(&asset("1", region(i), "DynamoDB", id, &[]), 0);
    }
    inv.finish();
    let mut expected: Vec<(&str, &str)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (region(i), id.as_str()))
        .collect();
    expected.sort();
    expected.dedup_by(|a, b| a == b && !a.1.is_empty());
    let got: Vec<String> = inv
        .rows()
        .map(|r| r.get(Field::AssetId).to_string())
        .collect();
    let want: Vec<String> = expected.iter().map(|(_, id)| id.to_string()).collect();
    assert_eq!(got, want);
    assert_eq!(inv.duplicates(), 1);
}

/// An asset's addresses are listed numerically, whatever order the mapper gave.
#[test]
fn an_assets_rows_are_in_address_order() {
    let mut inv = Inventory::new();
    inv.add(
        &asset("1", "r", "EC2", "i-1", &["10.0.0.10", "10.0.0.9", "b", "a"]),
        0,
    );
    inv.finish();
    let ips: Vec<&str> = inv.rows().map(|r| r.get(Field::Ip)).collect();
    assert_eq!(ips, ["10.0.0.9", "10.0.0.10", "a", "b"]);
}

#[test]
fn rows_sort_by_account_region_type_id_and_ip() {
    let mut inv = Inventory::new();
    inv.add(
        &asset("2", "east", "EC2", "i-b", &["10.0.0.10", "10.0.0.9"]),
        0,
    );
    inv.add(&asset("1", "west", "EC2", "i-a", &[]), 0);
    inv.add(&asset("1", "east", "RDS", "arn:r", &[]), 0);
    inv.add(&asset("1", "east", "EC2", "i-z", &["3.3.3.3"]), 0);
    inv.finish();
    assert_eq!(
        listing(&inv),
        vec![
            "i-z|3.3.3.3|mac",
            "arn:r||",
            "i-a||",
            "i-b|10.0.0.9|mac",
            "i-b|10.0.0.10|mac"
        ]
    );
    assert_eq!(
        inv.row_counts()
            .get(&("2".into(), "east".into(), "EC2".into())),
        Some(&2)
    );
    let assets: Vec<(String, Vec<(&str, &str)>)> = inv
        .assets()
        .map(|a| (a.get(Field::AssetId).to_string(), a.addresses().collect()))
        .collect();
    assert_eq!(
        assets,
        vec![
            ("i-z".into(), vec![("3.3.3.3", "mac")]),
            ("arn:r".into(), vec![]),
            ("i-a".into(), vec![]),
            (
                "i-b".into(),
                vec![("10.0.0.9", "mac"), ("10.0.0.10", "mac")]
            ),
        ]
    );
    assert_eq!(inv.assets().next().unwrap().account(), "1");
}

#[test]
fn the_same_resource_twice_is_listed_once() {
    let mut inv = Inventory::new();
    inv.add(&asset("1", "east", "EC2", "i-a", &["10.0.0.1"]), 0);
    inv.add(&asset("1", "east", "RDS", "i-b", &[]), 0);
    inv.add(&asset("1", "east", "EC2", "i-a", &["10.0.0.2"]), 0);
    inv.add(&asset("2", "east", "EC2", "i-a", &["10.0.0.1"]), 0);
    inv.finish();
    assert_eq!(inv.duplicates(), 1);
    assert_eq!(inv.asset_count(), 3);
    assert_eq!(
        listing(&inv),
        vec!["i-a|10.0.0.1|mac", "i-b||", "i-a|10.0.0.1|mac"],
        "the first met is kept"
    );
}

#[test]
fn sparse_cells_read_back_and_can_be_set_later() {
    let mut inv = Inventory::new();
    inv.add(&asset("1", "r", "EC2", "i-1", &["10.0.0.1"]), 0);
    inv.add(&asset("1", "r", "EC2", "i-2", &[]), 0);
    let sym = inv.pool.intern("Linux");
    inv.set_cell(0, Field::OsNameVersion, sym); // was empty: the cells move
    let sym = inv.pool.intern("No");
    inv.set_cell(0, Field::Virtual, sym); // had a value: set in place
    inv.set_cell(1, Field::Virtual, Sym(0)); // emptied
    inv.finish();
    let cells = |i: usize, fields: &[Field]| -> Vec<&str> {
        let row = inv.row(i);
        fields.iter().map(|f| row.get(*f)).collect()
    };
    let fields = [
        Field::AssetId,
        Field::Ip,
        Field::Mac,
        Field::Virtual,
        Field::OsNameVersion,
        Field::AssetType,
        Field::Public,
    ];
    assert_eq!(
        cells(0, &fields),
        ["i-1", "10.0.0.1", "mac", "No", "Linux", "EC2", ""]
    );
    assert_eq!(cells(1, &fields), ["i-2", "", "", "", "", "EC2", ""]);
    assert_eq!(inv.asset_copy(0).get(Field::OsNameVersion), "Linux");
}

#[test]
fn pool_interns_once() {
    let mut pool = StringPool::new();
    let a = pool.intern("x");
    let b = pool.intern("y");
    assert_eq!(pool.intern("x"), a);
    assert_ne!(a, b);
    assert_eq!(pool.get(b), "y");
    assert_eq!(pool.intern(""), Sym(0));
    let u = pool.store("x");
    assert_ne!(u, a, "stored values are not looked up");
    assert_eq!(pool.get(u), "x");
    assert_eq!(pool.get(Sym(0)), "");
}

/// Cells set together move an asset's cells at most once: empty ones filled, present
/// ones changed in place, an emptied one dropped.
#[test]
fn cells_set_together_move_the_asset_once() {
    let mut inv = Inventory::new();
    inv.add(&asset("1", "r", "EC2", "i-1", &[]), 1);
    let before = inv.values.len();
    inv.set_stored_cells(
        0,
        &[
            (Field::InLatestScan, "Yes"),
            (Field::AuthenticatedScan, "No"),
            (Field::Virtual, "No"),
        ],
    );
    assert_eq!(inv.values.len(), before * 2 + 2, "one move, two cells more");
    assert_eq!(
        [
            Field::InLatestScan,
            Field::AuthenticatedScan,
            Field::Virtual,
            Field::AssetId
        ]
        .map(|f| inv.stored_cell(0, f)),
        ["Yes", "No", "No", "i-1"]
    );
    let moved = inv.values.len();
    inv.set_stored_cells(0, &[(Field::InLatestScan, "No"), (Field::Virtual, "Yes")]);
    assert_eq!(inv.values.len(), moved, "present cells change in place");
    inv.set_stored_cells(0, &[(Field::AuthenticatedScan, "")]);
    assert_eq!(inv.stored_cell(0, Field::AuthenticatedScan), "");
    assert_eq!(inv.stored_cell(0, Field::InLatestScan), "No");
}
