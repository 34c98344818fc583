//! PDF lexical conventions (ISO 32000-1 §7.2): white space, comments, delimiters, keywords
//! and unsigned integers, over the file's bytes with a position. Objects are built on it in
//! `object.rs`.

/// White-space characters (Table 1).
pub(crate) fn is_space(c: u8) -> bool {
    matches!(c, 0 | 9 | 10 | 12 | 13 | 32)
}

/// Delimiter characters (Table 2).
pub(crate) fn is_delimiter(c: u8) -> bool {
    matches!(c, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

/// A cursor over the file.
#[derive(Debug, Clone)]
pub(crate) struct Lexer<'a> {
    pub data: &'a [u8],
    pub pos: usize,
}

impl<'a> Lexer<'a> {
    pub fn at(data: &'a [u8], pos: usize) -> Lexer<'a> {
        Lexer { data, pos }
    }

    pub fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    /// Skips white space and comments.
    pub fn skip_space(&mut self) {
        while let Some(c) = self.peek() {
            if is_space(c) {
                self.pos += 1;
            } else if c == b'%' {
                self.skip_comment();
            } else {
                break;
            }
        }
    }

    /// Skips white space only (a `%%EOF` marker is a comment and must stay visible).
    pub fn skip_space_only(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
    }

    fn skip_comment(&mut self) {
        while let Some(c) = self.peek() {
            if c == b'\n' || c == b'\r' {
                break;
            }
            self.pos += 1;
        }
    }

    /// The run of regular characters at the cursor (a keyword, a number).
    pub fn regular(&mut self) -> &'a [u8] {
        let start = self.pos;
        while self.peek().is_some_and(|c| !is_space(c) && !is_delimiter(c)) {
            self.pos += 1;
        }
        &self.data[start..self.pos]
    }

    /// Whether the keyword `word` is next (after white space and comments), as a whole token.
    pub fn at_keyword(&mut self, word: &[u8]) -> bool {
        self.skip_space();
        self.keyword_here(word)
    }

    /// Whether `word` starts exactly at the cursor, as a whole token.
    pub fn keyword_here(&self, word: &[u8]) -> bool {
        let end = self.pos + word.len();
        self.data.get(self.pos..end) == Some(word) && self.data.get(end).is_none_or(|&c| is_space(c) || is_delimiter(c))
    }

    /// Consumes the keyword `word` if it is next.
    pub fn eat_keyword(&mut self, word: &[u8]) -> bool {
        if self.at_keyword(word) {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    /// An unsigned decimal integer token, or `None` (cursor unchanged).
    pub fn unsigned(&mut self) -> Option<u64> {
        self.skip_space();
        let start = self.pos;
        let token = self.regular();
        let parsed = (!token.is_empty() && token.len() <= 19 && token.iter().all(u8::is_ascii_digit))
            .then(|| token.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')));
        if parsed.is_none() {
            self.pos = start;
        }
        parsed
    }

    /// An end-of-line marker at the cursor (CR, LF or CR LF), consumed; its length.
    pub fn eol(&mut self) -> usize {
        match (self.data.get(self.pos), self.data.get(self.pos + 1)) {
            (Some(b'\r'), Some(b'\n')) => {
                self.pos += 2;
                2
            }
            (Some(b'\r' | b'\n'), _) => {
                self.pos += 1;
                1
            }
            _ => 0,
        }
    }
}

/// The last position of `needle` in `haystack`.
pub(crate) fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::rfind(haystack, needle)
}

/// The first position of `needle` in `haystack`.
pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_whole_tokens_and_comments_are_space() {
        let mut l = Lexer::at(b"  % note\n startxref\n123 %%EOF", 0);
        assert!(!l.at_keyword(b"start"));
        assert!(l.eat_keyword(b"startxref"));
        assert_eq!(l.unsigned(), Some(123));
        l.skip_space_only();
        assert!(l.keyword_here(b"%%EOF"));
        let mut l = Lexer::at(b"12a", 0);
        assert_eq!(l.unsigned(), None);
        assert_eq!(l.pos, 0);
        assert_eq!(Lexer::at(b"99999999999999999999", 0).unsigned(), None);
    }
}
