//! Splitting plain text into sentences of tokens with character offsets, as CoNLL-2003 tokenises newswire.

/// A token of plain text with its character offsets (end exclusive).
///
/// # Example
/// ```
/// use qnet::tagger::tokenize;
/// let token = &tokenize("Zürich, 1996")[0][1];
/// assert_eq!((token.text.as_str(), token.start, token.end), (",", 6, 7)); // characters, not bytes
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextToken {
    /// The token.
    pub text: String,
    /// The offset of its first character, in characters.
    pub start: usize,
    /// One past its last character.
    pub end: usize,
}

/// Characters that stay inside a token when letters or digits stand on both sides (`1996-08-22`, `O'Neil`,
/// `AT&T`, `3.5`, `U.S`).
fn joins(c: char) -> bool {
    matches!(c, '-' | '\'' | '’' | '&' | '.' | ',' | '/')
}

/// Splits `text` into sentences of tokens: runs of letters and digits (joined across `-`, `'`, `&`, `.`, `,`
/// and `/` between two of them, and keeping the final period of abbreviations such as `U.S.`) and single
/// punctuation marks; a sentence ends after `.`, `!` or `?`, and at a blank line.
///
/// # Example
/// ```
/// use qnet::tagger::tokenize;
/// let s = tokenize("EU rejects German call. Prices rose 3.5% in the U.S. on 1996-08-22!");
/// let words: Vec<Vec<&str>> = s.iter().map(|t| t.iter().map(|t| t.text.as_str()).collect()).collect();
/// assert_eq!(words[0], ["EU", "rejects", "German", "call", "."]);
/// assert_eq!(words[1], ["Prices", "rose", "3.5", "%", "in", "the", "U.S.", "on", "1996-08-22", "!"]);
/// assert_eq!((s[0][1].start, s[0][1].end), (3, 10));
/// ```
#[must_use]
pub fn tokenize(text: &str) -> Vec<Vec<TextToken>> {
    let chars: Vec<char> = text.chars().collect();
    let mut sentences = Vec::new();
    let mut current: Vec<TextToken> = Vec::new();
    let mut i = 0;
    let mut newlines = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            if c == '\n' {
                newlines += 1;
                if newlines >= 2 && !current.is_empty() {
                    sentences.push(std::mem::take(&mut current));
                }
            }
            i += 1;
            continue;
        }
        newlines = 0;
        let start = i;
        if c.is_alphanumeric() {
            i += 1;
            while i < chars.len() {
                if chars[i].is_alphanumeric() {
                    i += 1;
                } else if joins(chars[i]) && i + 1 < chars.len() && chars[i + 1].is_alphanumeric() {
                    i += 2;
                } else {
                    break;
                }
            }
            // An abbreviation of single letters and periods keeps its last period: "U.S.".
            let word: String = chars[start..i].iter().collect();
            let abbreviation = word.contains('.') && word.split('.').all(|p| p.chars().count() == 1);
            if abbreviation && chars.get(i) == Some(&'.') {
                i += 1;
            }
        } else {
            i += 1;
        }
        let token = TextToken { text: chars[start..i].iter().collect(), start, end: i };
        let ends = matches!(token.text.as_str(), "." | "!" | "?");
        current.push(token);
        if ends {
            sentences.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        sentences.push(current);
    }
    sentences
}
