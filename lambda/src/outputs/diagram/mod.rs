//! `STEM.diagram.svg` and `STEM.diagram.dot`: the boundary diagram. What it shows comes
//! from [`crate::network::diagram`], where it goes from [`layout`]; this file only
//! draws: SVG by hand (no external binary, no browser), DOT with the same nesting as
//! Graphviz clusters. Every text is escaped; a character XML cannot hold is dropped.

pub mod layout;

use std::fmt::Write as _;
use std::path::Path;

use self::layout::{fits, Layout, Rect, Tree, NODE_HEIGHT};
use super::{OutputError, Report, PORTS_NEED_NETWORK};
use crate::network::diagram::{diagram, Diagram, Edge, Place, EDGE_LABELS_SHOWN};

/// The diagram of a run, from its network evidence and inventory.
pub fn of_report(report: &Report) -> Result<Diagram, String> {
    let evidence = report
        .summary
        .evidence
        .as_ref()
        .ok_or_else(|| PORTS_NEED_NETWORK.to_string())?;
    if !evidence.has_facts() {
        return Err("the network facts were let go before the diagram was drawn (the run did not ask to keep them)".into());
    }
    let listed = report.inventory.assets().map(|a| a.index());
    Ok(diagram(evidence, report.inventory, listed))
}

/// Writes the SVG to `svg` and the DOT source to `dot`.
pub fn write(svg: &Path, dot: &Path, report: &Report) -> Result<(), OutputError> {
    let d = of_report(report).map_err(|e| OutputError::write(svg, e))?;
    let laid = layout::layout(&d);
    std::fs::write(svg, render_svg(&d, &laid)).map_err(|e| OutputError::write(svg, e))?;
    std::fs::write(dot, render_dot(&d, &laid.tree)).map_err(|e| OutputError::write(dot, e))
}

/// XML text: escaped, without the characters XML 1.0 cannot hold.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // A title's lines stay lines (its tooltip shows them so).
            '\n' => out.push('\n'),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `text` cut to `n` characters with an ellipsis in the middle when cut: an ARN's tail
/// is what tells it from its neighbours. The title holds it whole.
fn cut(text: &str, n: usize) -> String {
    let count = text.chars().count();
    if count <= n {
        return text.to_string();
    }
    let head = (n / 3).max(1);
    let tail = n.saturating_sub(head + 1);
    let mut s: String = text.chars().take(head).collect();
    s.push('…');
    s.extend(text.chars().skip(count - tail));
    s
}

const FILLS: [&str; 3] = ["#f4f6fb", "#eaf2ea", "#fdf6e3"];
const STROKES: [&str; 3] = ["#44546a", "#5b8c5a", "#b58900"];

pub fn render_svg(d: &Diagram, l: &Layout) -> String {
    let mut s = String::with_capacity(1024 + d.nodes.len() * 400 + d.edges.len() * 300);
    let (w, h) = (l.width.ceil(), l.height.ceil());
    let _ = write!(
        s,
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="Helvetica, Arial, sans-serif" font-size="12">
<title>Authorization boundary: {} nodes, {} connections between them</title>
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>
<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>
"##,
        d.nodes.len(),
        d.edges.len()
    );
    for c in &l.containers {
        let r = c.rect;
        let k = (c.depth as usize).min(2);
        let _ = writeln!(
            s,
            r#"<g class="boundary"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="6" fill="{}" stroke="{}" stroke-width="{}"/><text x="{:.1}" y="{:.1}" font-weight="bold" fill="{}">{}</text></g>"#,
            r.x,
            r.y,
            r.w,
            r.h,
            FILLS[k],
            STROKES[k],
            if c.depth == 0 { 2 } else { 1 },
            r.x + 10.0,
            r.y + 17.0,
            STROKES[k],
            xml(&c.title)
        );
    }
    for e in &d.edges {
        edge_svg(&mut s, d, l, e);
    }
    for (i, n) in d.nodes.iter().enumerate() {
        let r = l.nodes[i];
        let outside = n.place == Place::Outside;
        let (fill, stroke) = if outside {
            ("#fbe9e7", "#c0392b")
        } else {
            ("#ffffff", "#333333")
        };
        // One asset: its own line says it all; a group or a party: what it is, then
        // what it stands for.
        let title = if n.assets == 1 {
            n.title.join("\n")
        } else {
            let mut title = format!("{} ({})", n.text, n.kind);
            for t in &n.title {
                title.push('\n');
                title.push_str(t);
            }
            title
        };
        let n_chars = fits(r.w);
        let _ = writeln!(
            s,
            r##"<g class="node"><title>{}</title><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="{}" fill="{fill}" stroke="{stroke}"/><text x="{:.1}" y="{:.1}" text-anchor="middle" font-weight="bold">{}</text><text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#666" font-size="10">{}</text></g>"##,
            xml(&title),
            r.x,
            r.y,
            r.w,
            r.h,
            if outside { 20 } else { 4 },
            r.center_x(),
            r.y + 19.0,
            xml(&cut(&n.text, n_chars)),
            r.center_x(),
            r.y + 34.0,
            xml(&cut(&n.kind, n_chars + 2)),
        );
    }
    s.push_str("</svg>\n");
    s
}

/// An edge's shown label: the first few, then how many more (all in its title).
fn edge_label(e: &Edge) -> String {
    let mut shown = e.labels[..e.labels.len().min(EDGE_LABELS_SHOWN)].join(", ");
    if e.labels.len() > EDGE_LABELS_SHOWN {
        let _ = write!(shown, " +{} more", e.labels.len() - EDGE_LABELS_SHOWN);
    }
    shown
}

fn edge_svg(s: &mut String, d: &Diagram, l: &Layout, e: &Edge) {
    let (a, b): (Rect, Rect) = (l.nodes[e.from], l.nodes[e.to]);
    // Leave from the side facing the other box; curve gently so parallel edges part.
    let (x1, y1, x2, y2) = if a.y + a.h <= b.y {
        (a.center_x(), a.y + a.h, b.center_x(), b.y)
    } else if b.y + b.h <= a.y {
        (a.center_x(), a.y, b.center_x(), b.y + b.h)
    } else if a.x <= b.x {
        (
            a.x + a.w,
            a.y + NODE_HEIGHT / 2.0,
            b.x,
            b.y + NODE_HEIGHT / 2.0,
        )
    } else {
        (
            a.x,
            a.y + NODE_HEIGHT / 2.0,
            b.x + b.w,
            b.y + NODE_HEIGHT / 2.0,
        )
    };
    let bend = if (y2 - y1).abs() > (x2 - x1).abs() {
        (0.0, (y2 - y1) / 2.0)
    } else {
        ((x2 - x1) / 2.0, 0.0)
    };
    let title = format!(
        "{} -> {}{}: {}",
        d.nodes[e.from].text,
        d.nodes[e.to].text,
        if e.outbound { " (outbound rules)" } else { "" },
        e.labels.join(", ")
    );
    let (mx, my) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
    let _ = writeln!(
        s,
        r##"<g class="edge"><title>{}</title><path d="M {x1:.1} {y1:.1} C {:.1} {:.1}, {:.1} {:.1}, {x2:.1} {y2:.1}" fill="none" stroke="#555" stroke-width="1.2"{} marker-end="url(#arrow)"/><text x="{mx:.1}" y="{:.1}" text-anchor="middle" font-size="10" fill="#222" stroke="#fff" stroke-width="3" paint-order="stroke">{}</text></g>"##,
        xml(&title),
        x1 + bend.0,
        y1 + bend.1,
        x2 - bend.0,
        y2 - bend.1,
        if e.outbound {
            r#" stroke-dasharray="5 3""#
        } else {
            ""
        },
        my - 3.0,
        xml(&edge_label(e)),
    );
}

/// A DOT string: quoted, with `"` and `\` escaped and line breaks as `\n`.
fn dot(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn render_dot(d: &Diagram, tree: &[Tree]) -> String {
    let mut s = String::new();
    s.push_str("digraph boundary {\n  graph [rankdir=TB, compound=true, fontname=\"Helvetica\", label=\"Authorization boundary\"];\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n");
    let node = |s: &mut String, i: usize, indent: &str| {
        let n = &d.nodes[i];
        let _ = writeln!(
            s,
            "{indent}n{i} [label={}, tooltip={}{}];",
            dot(&format!("{}\n{}", n.text, n.kind)),
            dot(&n.title.join("\n")),
            if n.place == Place::Outside {
                ", shape=ellipse, fillcolor=\"#fbe9e7\""
            } else {
                ""
            }
        );
    };
    for (i, n) in d.nodes.iter().enumerate() {
        if n.place == Place::Outside {
            node(&mut s, i, "  ");
        }
    }
    let mut cluster = 0;
    fn nest(
        s: &mut String,
        t: &Tree,
        depth: usize,
        cluster: &mut usize,
        node: &dyn Fn(&mut String, usize, &str),
    ) {
        let indent = "  ".repeat(depth + 1);
        let _ = writeln!(s, "{indent}subgraph cluster_{} {{", *cluster);
        *cluster += 1;
        let _ = writeln!(s, "{indent}  label={};", dot(&t.title));
        for c in &t.children {
            nest(s, c, depth + 1, cluster, node);
        }
        let inner = format!("{indent}  ");
        for &i in &t.nodes {
            node(s, i, &inner);
        }
        let _ = writeln!(s, "{indent}}}");
    }
    for t in tree {
        nest(&mut s, t, 0, &mut cluster, &node);
    }
    for e in &d.edges {
        let _ = writeln!(
            s,
            "  n{} -> n{} [label={}, tooltip={}{}];",
            e.from,
            e.to,
            dot(&edge_label(e)),
            dot(&e.labels.join(", ")),
            if e.outbound { ", style=dashed" } else { "" }
        );
    }
    s.push_str("}\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_what_xml_cannot_hold_is_dropped() {
        assert_eq!(
            xml("a & <b> \"c\" 'd'\u{1}\u{8}e"),
            "a &amp; &lt;b&gt; &quot;c&quot; &apos;d&apos;e"
        );
        assert_eq!(dot("say \"hi\"\\\nnext\u{7}"), r#""say \"hi\"\\\nnext""#);
        assert_eq!(cut("abcdefgh", 4), "a…gh");
        assert_eq!(cut("abc", 4), "abc");
    }
}
