//! Long console lists, one page at a time: the search text and page asked for in the query
//! (`?q=…&page=N`), and the links to the pages before and after. A list fetches one row more
//! than it shows to know whether a next page exists, so no list ever counts its whole table.

use serde::Deserialize;

/// Rows shown on one page of a list.
pub const PER_PAGE: i64 = 50;

/// `?q=…&page=N`: what to search for (empty for everything) and which page, from 1.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub page: Option<i64>,
}

impl ListQuery {
    /// The page asked for, from 1.
    pub fn page(&self) -> i64 {
        self.page.unwrap_or(1).max(1)
    }

    /// How many rows to fetch: the page and one more.
    pub fn limit(&self) -> i64 {
        PER_PAGE + 1
    }

    /// How many rows come before this page.
    pub fn offset(&self) -> i64 {
        (self.page() - 1).saturating_mul(PER_PAGE)
    }

    /// The search text, trimmed; `None` for everything.
    pub fn search(&self) -> Option<&str> {
        Some(self.q.trim()).filter(|q| !q.is_empty())
    }

    /// Cuts `rows` (fetched with [`limit`](Self::limit)) to the page and says where the pages
    /// before and after are, under `path` (which may carry a query of its own).
    pub fn pager<T>(&self, path: &str, rows: &mut Vec<T>) -> Pager {
        let has_next = rows.len() as i64 > PER_PAGE;
        rows.truncate(PER_PAGE as usize);
        let href = |page: i64| {
            let query =
                serde_urlencoded::to_string([("q", self.q.as_str()), ("page", &page.to_string())])
                    .unwrap_or_default();
            let joint = if path.contains('?') { '&' } else { '?' };
            format!("{path}{joint}{query}")
        };
        let page = self.page();
        Pager {
            page,
            previous: (page > 1).then(|| href(page - 1)),
            next: has_next.then(|| href(page + 1)),
        }
    }
}

/// Where a list's pages before and after this one are; `templates/console/pager.html` shows them.
pub struct Pager {
    pub page: i64,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// The same pages linked by `href(page)`: for a list whose links carry more than `q`.
    pub fn linked(self, href: impl Fn(i64) -> String) -> Pager {
        Pager {
            previous: self.previous.map(|_| href(self.page - 1)),
            next: self.next.map(|_| href(self.page + 1)),
            page: self.page,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ListQuery, PER_PAGE};

    #[test]
    fn a_page_shows_fifty_rows_and_links_to_its_neighbours_keeping_the_search() {
        let asked = ListQuery {
            q: "张 三&x".into(),
            page: Some(2),
        };
        assert_eq!(asked.offset(), PER_PAGE);
        let mut rows: Vec<i64> = (0..asked.limit()).collect();
        let pager = asked.pager("/console/volunteers", &mut rows);
        assert_eq!(rows.len() as i64, PER_PAGE);
        assert_eq!(
            pager.previous.as_deref(),
            Some("/console/volunteers?q=%E5%BC%A0+%E4%B8%89%26x&page=1")
        );
        assert!(pager.next.is_some());

        let mut last: Vec<i64> = (0..3).collect();
        let pager = ListQuery::default().pager("/p", &mut last);
        assert_eq!((pager.previous, pager.next), (None, None));
        assert_eq!(last.len(), 3);
    }
}
