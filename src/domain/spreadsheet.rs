//! Cells of a file staff open in a spreadsheet: a cell a spreadsheet would take for a formula
//! (one that begins with `=`, `+`, `-` or `@`, or a tab or carriage return that hides one) is
//! neutralised with a leading apostrophe, so that a name a volunteer typed never runs as a
//! formula on an administrator's machine.

use std::borrow::Cow;

/// `text` as a cell that a spreadsheet shows as text.
pub fn safe_cell(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_cell;

    #[test]
    fn formula_starts_are_neutralised_and_other_text_is_kept() {
        assert_eq!(safe_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_cell("+86 138"), "'+86 138");
        assert_eq!(safe_cell("-1"), "'-1");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("\t=1"), "'\t=1");
        assert_eq!(safe_cell("张三"), "张三");
        assert_eq!(safe_cell("a=b"), "a=b");
        assert_eq!(safe_cell(""), "");
    }
}
