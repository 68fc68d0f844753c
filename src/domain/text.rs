//! Free text people type (names, titles, places, reasons, descriptions), parsed by one rule:
//! trimmed, at most so many characters, and no control characters, which no one types on purpose
//! and PostgreSQL cannot always store (NUL). Multi-line fields keep their line breaks and tabs,
//! as text pasted from a document has them.

use crate::error::codes::{
    INVALID_DESCRIPTION, INVALID_EVALUATION, INVALID_FIELD, INVALID_MESSAGE, INVALID_NAME,
    REASON_REQUIRED,
};
use std::fmt;

/// The name of a unit, an organisation, a partner, a reward or a staff member.
pub const NAME: TextRule = TextRule::new(
    INVALID_NAME,
    "a name has 1 to 100 characters and no control characters",
    100,
);
/// A volunteer's real name 姓名.
pub const REAL_NAME: TextRule = TextRule::new(
    INVALID_NAME,
    "the real name must have 1 to 50 characters and no control characters",
    50,
);
/// Why time was adjusted, rejected, entered by hand or corrected, or a report declined.
pub const REASON: TextRule =
    TextRule::new(REASON_REQUIRED, "give a reason of 1 to 500 characters", 500).multiline();
/// An organizer's comment on a volunteer's service 服务评价.
pub const EVALUATION_COMMENT: TextRule = TextRule::new(
    INVALID_EVALUATION,
    "a comment on the service is at most 200 characters",
    200,
);
/// What a volunteer says is wrong with their record 纠错.
pub const REPORT_MESSAGE: TextRule = TextRule::new(
    INVALID_MESSAGE,
    "say what is wrong in 1 to 500 characters",
    500,
)
.multiline();
/// A reward's description; it may be left empty.
pub const DESCRIPTION: TextRule = TextRule::new(
    INVALID_DESCRIPTION,
    "a description has at most 2,000 characters and no control characters",
    2000,
)
.multiline()
.optional();

/// What a text field accepts, and the answer when it does not.
#[derive(Debug, Clone, Copy)]
pub struct TextRule {
    max_chars: usize,
    required: bool,
    multiline: bool,
    refusal: Refusal,
}

#[derive(Debug, Clone, Copy)]
enum Refusal {
    Fixed {
        code: &'static str,
        message: &'static str,
    },
    /// `invalid_field`, with a message naming the field of the form.
    Field(&'static str),
}

/// A text refused by its rule: the error code and message to answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidText {
    pub code: &'static str,
    pub message: String,
}

impl fmt::Display for InvalidText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl TextRule {
    /// A required single-line text of 1 to `max_chars` characters, refused with `code` and
    /// `message`.
    pub const fn new(code: &'static str, message: &'static str, max_chars: usize) -> Self {
        TextRule {
            max_chars,
            required: true,
            multiline: false,
            refusal: Refusal::Fixed { code, message },
        }
    }

    /// A required single-line field of a form, refused as `invalid_field` naming `field`.
    pub const fn field(field: &'static str, max_chars: usize) -> Self {
        TextRule {
            max_chars,
            required: true,
            multiline: false,
            refusal: Refusal::Field(field),
        }
    }

    /// The same rule, letting line breaks and tabs through.
    pub const fn multiline(self) -> Self {
        TextRule {
            multiline: true,
            ..self
        }
    }

    /// The same rule, accepting an empty text.
    pub const fn optional(self) -> Self {
        TextRule {
            required: false,
            ..self
        }
    }

    /// The text trimmed, if the rule accepts it.
    pub fn parse(&self, raw: &str) -> Result<String, InvalidText> {
        let text = raw.trim();
        let refused =
            |c: char| c.is_control() && !(self.multiline && matches!(c, '\n' | '\r' | '\t'));
        if (self.required && text.is_empty())
            || text.chars().count() > self.max_chars
            || text.chars().any(refused)
        {
            return Err(self.refusal());
        }
        Ok(text.to_owned())
    }

    fn refusal(&self) -> InvalidText {
        match self.refusal {
            Refusal::Fixed { code, message } => InvalidText {
                code,
                message: message.to_owned(),
            },
            Refusal::Field(field) => InvalidText {
                code: INVALID_FIELD,
                message: format!(
                    "{field} needs 1 to {} characters and no control characters",
                    self.max_chars
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed() {
        assert_eq!(NAME.parse("  东湖街道 \n").unwrap(), "东湖街道");
    }

    #[test]
    fn required_text_is_not_blank() {
        for blank in ["", "   ", "\n\t"] {
            assert_eq!(
                NAME.parse(blank).unwrap_err().code,
                INVALID_NAME,
                "{blank:?}"
            );
            assert_eq!(REASON.parse(blank).unwrap_err().code, REASON_REQUIRED);
        }
        assert_eq!(DESCRIPTION.parse("  ").unwrap(), "");
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert!(REAL_NAME.parse(&"林".repeat(50)).is_ok());
        assert!(REAL_NAME.parse(&"林".repeat(51)).is_err());
        assert!(DESCRIPTION.parse(&"好".repeat(2000)).is_ok());
        assert!(DESCRIPTION.parse(&"好".repeat(2001)).is_err());
    }

    #[test]
    fn control_characters_are_refused() {
        for rule in [NAME, REASON, DESCRIPTION, TextRule::field("title", 100)] {
            for bad in ["敬老\u{0}理发", "敬老\u{7}", "敬老\u{1b}[0m"] {
                assert!(rule.parse(bad).is_err(), "{bad:?}");
            }
        }
    }

    #[test]
    fn line_breaks_and_tabs_only_in_multiline_text() {
        for text in ["第一行\n第二行", "第一行\r\n第二行", "项目\t说明"] {
            assert!(NAME.parse(text).is_err(), "{text:?}");
            assert!(TextRule::field("name", 200).parse(text).is_err());
            assert_eq!(REASON.parse(text).unwrap(), text);
            assert_eq!(DESCRIPTION.parse(text).unwrap(), text);
        }
    }

    #[test]
    fn refusals_carry_the_code_and_message_of_the_field() {
        assert_eq!(
            TextRule::field("place", 200).parse("").unwrap_err(),
            InvalidText {
                code: INVALID_FIELD,
                message: "place needs 1 to 200 characters and no control characters".into(),
            }
        );
        assert_eq!(
            REPORT_MESSAGE.parse("").unwrap_err(),
            InvalidText {
                code: INVALID_MESSAGE,
                message: "say what is wrong in 1 to 500 characters".into(),
            }
        );
    }
}
