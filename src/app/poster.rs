//! QR codes as SVG, and the A4 check-in poster rendered from `qr-templates/poster.svg`.

use crate::store::activities::Activity;
use chrono::FixedOffset;
use qrcode::{Color, EcLevel, QrCode};

const POSTER_TEMPLATE: &str = include_str!("../../qr-templates/poster.svg");
/// Light modules around the code, as the QR standard asks for.
const QUIET_ZONE: usize = 4;

/// One SVG path of the dark modules, in module units, quiet zone included.
pub struct QrModules {
    /// Width and height in modules, quiet zone included.
    pub size: usize,
    pub path: String,
}

pub fn qr_modules(text: &str) -> QrModules {
    // Level M survives a crease or a smudge on a printed poster and keeps the code small.
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .expect("a URL of at most a few hundred bytes always fits a QR code");
    let width = code.width();
    let mut path = String::new();
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color == Color::Dark {
            let (x, y) = (i % width + QUIET_ZONE, i / width + QUIET_ZONE);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    QrModules {
        size: width + 2 * QUIET_ZONE,
        path,
    }
}

/// A QR code as a standalone SVG image, `pixels` wide.
pub fn qr_svg(text: &str, pixels: u32) -> String {
    let m = qr_modules(text);
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{pixels}" height="{pixels}" viewBox="0 0 {s} {s}" shape-rendering="crispEdges"><rect width="{s}" height="{s}" fill="#fff"/><path d="{d}" fill="#000"/></svg>"##,
        s = m.size,
        d = m.path
    )
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Splits a title over two poster lines of at most `per_line` characters, with an ellipsis when
/// even two are too few.
fn title_lines(title: &str, per_line: usize) -> (String, String) {
    let chars: Vec<char> = title.chars().collect();
    if chars.len() <= per_line {
        return (title.to_owned(), String::new());
    }
    let first: String = chars[..per_line].iter().collect();
    let rest = &chars[per_line..];
    let second: String = if rest.len() <= per_line {
        rest.iter().collect()
    } else {
        rest[..per_line - 1]
            .iter()
            .chain(std::iter::once(&'…'))
            .collect()
    };
    (first, second)
}

/// The printable A4 poster of an activity holding the QR code of `url`.
pub fn poster_svg(activity: &Activity, url: &str, offset: FixedOffset) -> String {
    let m = qr_modules(url);
    // A 150 mm square centred under the text block.
    let side = 150.0;
    let scale = side / m.size as f64;
    let qr = format!(
        r##"<g transform="translate(30 96) scale({scale:.5})" shape-rendering="crispEdges"><rect width="{s}" height="{s}" fill="#fff"/><path d="{d}" fill="#000"/></g>"##,
        s = m.size,
        d = m.path
    );
    let (start, end) = (
        activity.starts_at.with_timezone(&offset),
        activity.ends_at.with_timezone(&offset),
    );
    let time = if start.date_naive() == end.date_naive() {
        format!(
            "{}–{}",
            start.format("%Y年%m月%d日 %H:%M"),
            end.format("%H:%M")
        )
    } else {
        format!(
            "{} – {}",
            start.format("%Y年%m月%d日 %H:%M"),
            end.format("%m月%d日 %H:%M")
        )
    };
    let (title, title2) = title_lines(&activity.title, 18);
    POSTER_TEMPLATE
        .replace("{{title}}", &xml_escape(&title))
        .replace("{{title2}}", &xml_escape(&title2))
        .replace("{{time}}", &xml_escape(&time))
        .replace("{{place}}", &xml_escape(&activity.place))
        .replace("{{organiser}}", &xml_escape(&activity.organiser))
        .replace(
            "{{person_in_charge}}",
            &xml_escape(&activity.person_in_charge),
        )
        .replace("{{url}}", &xml_escape(url))
        .replace("{{qr}}", &qr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_titles_wrap_to_two_lines_with_an_ellipsis() {
        assert_eq!(
            title_lines("敬老院探访", 18),
            ("敬老院探访".into(), String::new())
        );
        let (a, b) = title_lines(&"字".repeat(40), 18);
        assert_eq!(a.chars().count(), 18);
        assert_eq!(b.chars().count(), 18);
        assert!(b.ends_with('…'));
    }

    #[test]
    fn the_qr_path_has_a_quiet_zone() {
        let m = qr_modules("https://vledger.example.gov.cn/s/2n9c.AbCdEfGhIjKl");
        assert!(m.size >= 21 + 8);
        assert!(
            !m.path.contains("M0 ") && !m.path.contains("M3 "),
            "nothing dark in the quiet zone"
        );
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(xml_escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
