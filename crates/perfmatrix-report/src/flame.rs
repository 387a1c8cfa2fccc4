//! The differential flame graph of a changed benchmark (`perfmatrix_model::FlameNode`) as a
//! self-contained SVG: head's call tree, top down (an icicle), each path as wide as its share
//! of head's instructions, coloured by how its instructions moved from base (red: more, blue:
//! fewer, grey: within 0.5%), with the numbers in each box's tooltip. No script, no external
//! file.

use std::fmt::Write as _;

use perfmatrix_model::FlameNode;

use crate::badge::xml_escape;
use crate::functions::change;
use crate::text::printable;
use crate::units::format_count;

/// The graph's width and one row's height, in pixels.
const WIDTH: f64 = 1000.0;
const ROW: f64 = 17.0;
/// The average width of a label's character, to cut labels to their box.
const CHAR: f64 = 6.5;
/// A relative move this large or larger gets the full colour.
const FULL_COLOUR: f64 = 0.3;

/// The SVG of `root`'s graph; empty when head has no instructions under it.
pub(crate) fn svg(root: &FlameNode) -> String {
    if root.head_ir == 0 {
        return String::new();
    }
    let mut boxes = String::new();
    let mut depth = 0;
    #[allow(
        clippy::cast_precision_loss,
        reason = "pixels need no more than f64's digits"
    )]
    let scale = WIDTH / root.head_ir as f64;
    draw(root, 0.0, 0, scale, &mut boxes, &mut depth);
    #[allow(clippy::cast_precision_loss, reason = "a depth is small")]
    let height = (depth + 1) as f64 * ROW;
    format!(
        "<svg class=\"flame\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} \
         {height}\" width=\"{WIDTH}\" height=\"{height}\" role=\"img\" aria-label=\"differential \
         flame graph\">{boxes}</svg>"
    )
}

fn draw(node: &FlameNode, x: f64, level: usize, scale: f64, out: &mut String, deepest: &mut usize) {
    #[allow(
        clippy::cast_precision_loss,
        reason = "pixels need no more than f64's digits"
    )]
    let width = node.head_ir as f64 * scale;
    if width < 0.5 {
        return;
    }
    *deepest = (*deepest).max(level);
    #[allow(clippy::cast_precision_loss, reason = "a depth is small")]
    let y = level as f64 * ROW;
    let name = printable(&node.name);
    let moved = change(node.base_ir, node.head_ir);
    let title = format!(
        "{name}: {} → {} instructions ({moved})",
        format_count(node.base_ir),
        format_count(node.head_ir)
    );
    let _ = write!(
        out,
        "<g><title>{}</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" \
         fill=\"{}\" stroke=\"#fff\" stroke-width=\"0.5\"/>",
        xml_escape(&title),
        width,
        ROW - 1.0,
        colour(node.base_ir, node.head_ir)
    );
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a positive number of characters, far below usize::MAX"
    )]
    let fits = ((width - 6.0) / CHAR).floor().max(0.0) as usize;
    if fits >= 3 {
        let label: String = if name.chars().count() > fits {
            name.chars()
                .take(fits - 1)
                .chain(std::iter::once('…'))
                .collect()
        } else {
            name.clone()
        };
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x + 3.0,
            y + ROW - 5.0,
            xml_escape(&label)
        );
    }
    out.push_str("</g>");
    let mut at = x;
    for child in &node.children {
        draw(child, at, level + 1, scale, out, deepest);
        #[allow(
            clippy::cast_precision_loss,
            reason = "pixels need no more than f64's digits"
        )]
        let step = child.head_ir as f64 * scale;
        at += step;
    }
}

/// Grey within 0.5%, else towards red (more instructions) or blue (fewer), fully at ±30%.
fn colour(base: u64, head: u64) -> String {
    #[allow(clippy::cast_precision_loss, reason = "a ratio needs no more digits")]
    let relative = if base == 0 {
        1.0
    } else {
        head as f64 / base as f64 - 1.0
    };
    if relative.abs() < 0.005 {
        return "#e4e6e8".to_owned();
    }
    let strength = (relative.abs() / FULL_COLOUR).min(1.0);
    let (r, g, b) = if relative > 0.0 {
        (215.0, 48.0, 39.0)
    } else {
        (69.0, 117.0, 180.0)
    };
    let mix = |full: f64, light: f64| {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a colour channel, 0 to 255"
        )]
        let channel = (light + (full - light) * (0.25 + 0.75 * strength)).round() as u8;
        channel
    };
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(r, 245.0),
        mix(g, 245.0),
        mix(b, 245.0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, base_ir: u64, head_ir: u64, children: Vec<FlameNode>) -> FlameNode {
        FlameNode {
            name: name.to_owned(),
            head_ir,
            base_ir,
            children,
        }
    }

    #[test]
    fn boxes_are_as_wide_as_heads_share_and_coloured_by_their_move() {
        let root = node(
            "region",
            2_000,
            3_000,
            vec![
                node("grew<T>", 1_000, 2_000, Vec::new()),
                node("same", 1_000, 1_000, Vec::new()),
            ],
        );
        let svg = svg(&root);
        assert!(svg.starts_with("<svg class=\"flame\""), "{svg}");
        assert!(!svg.contains("<script"));
        assert!(svg.contains("width=\"666.7\""), "grew: 2/3 of head: {svg}");
        assert!(svg.contains("x=\"666.7\""), "same follows it: {svg}");
        assert!(
            svg.contains("grew&lt;T&gt;: 1,000 → 2,000 instructions (+100.00%)"),
            "{svg}"
        );
        assert!(svg.contains("fill=\"#e4e6e8\""), "unchanged is grey: {svg}");
        assert!(svg.contains("fill=\"#d73027\""), "+100% is full red: {svg}");
        assert_eq!(svg.matches("<rect").count(), 3);
    }

    #[test]
    fn nothing_on_head_draws_nothing() {
        assert_eq!(svg(&node("gone", 10, 0, Vec::new())), "");
        assert_eq!(colour(100, 60), "#4575b4");
    }
}
