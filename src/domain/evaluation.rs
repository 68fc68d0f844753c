//! Evaluations 服务评价 (67号令): a quality rating of a volunteer's service at an activity, given
//! by the organizer with the service record; a later rating supersedes the earlier one.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// 优秀
    Excellent,
    /// 良好
    Good,
    /// 合格
    Pass,
    /// 不合格
    Fail,
}

impl Rating {
    pub const ALL: [Rating; 4] = [Rating::Excellent, Rating::Good, Rating::Pass, Rating::Fail];

    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Excellent => "excellent",
            Rating::Good => "good",
            Rating::Pass => "pass",
            Rating::Fail => "fail",
        }
    }

    /// The rating's name in 67号令's words.
    pub fn zh(self) -> &'static str {
        match self {
            Rating::Excellent => "优秀",
            Rating::Good => "良好",
            Rating::Pass => "合格",
            Rating::Fail => "不合格",
        }
    }

    /// From its code or its Chinese name.
    pub fn parse(s: &str) -> Option<Rating> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s || r.zh() == s)
    }
}

impl TryFrom<String> for Rating {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        Rating::parse(&s).ok_or(s)
    }
}

#[cfg(test)]
mod tests {
    use super::Rating;

    #[test]
    fn codes_and_chinese_names_both_name_a_rating() {
        for r in Rating::ALL {
            assert_eq!(Rating::parse(r.as_str()), Some(r));
            assert_eq!(Rating::parse(r.zh()), Some(r));
        }
        assert_eq!(Rating::parse("很好"), None);
    }
}
