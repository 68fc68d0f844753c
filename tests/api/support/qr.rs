//! Reading QR codes the way a phone does: from the rendered image.

use resvg::{tiny_skia, usvg};

/// Rasterises an SVG `width` pixels wide and decodes the one QR code in it.
pub fn decode_qr(svg: &str, width: u32) -> String {
    let tree = usvg::Tree::from_str(svg, &usvg::Options::default()).unwrap();
    let scale = width as f32 / tree.size().width();
    let height = (tree.size().height() * scale).round() as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width, height).unwrap();
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let pixels = pixmap.pixels();
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width as usize, height as usize, |x, y| {
            let p = pixels[y * width as usize + x];
            ((u16::from(p.red()) + u16::from(p.green()) + u16::from(p.blue())) / 3) as u8
        });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().expect("the QR code decodes").1
}

/// Decodes the QR code of the one inline SVG of a page.
pub fn decode_page_qr(html: &str) -> String {
    let start = html.find("<svg").expect("an inline SVG");
    let end = html[start..].find("</svg>").expect("the SVG ends") + start + "</svg>".len();
    decode_qr(&html[start..end], 480)
}
