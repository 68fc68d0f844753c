//! Pages from templates: what every page's `<head>` names, the response a page answers with, and
//! the JSON a page hands to its script; and CSV files to download.

use crate::domain::spreadsheet::safe_cell;
use crate::error::Result;
use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// What `templates/base.html` puts in every page's `<html>` and `<head>`.
pub struct Head {
    /// The page's language, e.g. `zh-CN`.
    pub lang: &'static str,
    pub title: String,
}

/// The page rendered from `template`, answered with `status`.
pub fn page(status: StatusCode, template: &impl Template) -> Result<Response> {
    let html = template.render().map_err(anyhow::Error::from)?;
    // Pages show personal data and what was just scanned: no browser or proxy keeps them.
    Ok((status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response())
}

/// A CSV file to download as `filename`: UTF-8 with a byte-order mark (so that spreadsheets in
/// China read the Chinese right), a header row, and every cell neutralised against formulas.
pub fn csv_file<R, C>(filename: &str, header: &[&str], rows: R) -> Result<Response>
where
    R: IntoIterator<Item = C>,
    C: IntoIterator<Item = String>,
{
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(header).map_err(anyhow::Error::from)?;
    for row in rows {
        let cells: Vec<String> = row
            .into_iter()
            .map(|c| safe_cell(&c).into_owned())
            .collect();
        out.write_record(&cells).map_err(anyhow::Error::from)?;
    }
    let body = out.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    let disposition = format!("attachment; filename=\"{filename}\"");
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

/// `value` as JSON to place inside a `<script type="application/json">` element, as is: `<`, `>`
/// and `&` become `\u003c`, `\u003e` and `\u0026`, so that no text can close the element or open
/// a comment in it, and U+2028 and U+2029, which older JavaScript does not accept inside strings,
/// become `\u2028` and `\u2029`. JSON has these characters only inside strings, where the escapes
/// mean the same.
pub fn script_json(value: &serde_json::Value) -> String {
    let json = value.to_string();
    let mut safe = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => safe.push_str("\\u003c"),
            '>' => safe.push_str("\\u003e"),
            '&' => safe.push_str("\\u0026"),
            '\u{2028}' => safe.push_str("\\u2028"),
            '\u{2029}' => safe.push_str("\\u2029"),
            c => safe.push(c),
        }
    }
    safe
}

#[cfg(test)]
mod tests {
    use super::script_json;
    use serde_json::json;

    #[test]
    fn embedded_json_cannot_end_its_script_element() {
        let title = "<!--<script> & </script>\u{2028}\u{2029}";
        let value = json!({"activity_title": title});
        let safe = script_json(&value);
        assert_eq!(
            safe,
            r#"{"activity_title":"\u003c!--\u003cscript\u003e \u0026 \u003c/script\u003e\u2028\u2029"}"#
        );
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value, "the escapes read back as the same text");
    }
}
