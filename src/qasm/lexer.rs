//! The OpenQASM 2.0 lexer: source text to tokens with line and column.

use crate::error::{Error, QasmErrorKind, Result};

/// A token's kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// An identifier or keyword: `[A-Za-z_][A-Za-z0-9_]*` (the parser checks the spec's rules per use).
    Ident(String),
    /// A non-negative integer literal `[1-9][0-9]*|0`, kept as text so the parser reports overflow in place.
    Int(String),
    /// A real literal with a decimal point and/or an exponent.
    Real(f64),
    /// A string literal between double quotes.
    Str(String),
    /// `;`
    Semi,
    /// `,`
    Comma,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `->`
    Arrow,
    /// `==`
    EqEq,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `^`
    Caret,
    /// The end of the input.
    Eof,
}

impl Tok {
    /// How the token reads in an error message.
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Int(s) => format!("integer `{s}`"),
            Tok::Real(v) => format!("real `{v:?}`"),
            Tok::Str(s) => format!("string {s:?}"),
            Tok::Semi => "`;`".into(),
            Tok::Comma => "`,`".into(),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::LBracket => "`[`".into(),
            Tok::RBracket => "`]`".into(),
            Tok::LBrace => "`{`".into(),
            Tok::RBrace => "`}`".into(),
            Tok::Arrow => "`->`".into(),
            Tok::EqEq => "`==`".into(),
            Tok::Plus => "`+`".into(),
            Tok::Minus => "`-`".into(),
            Tok::Star => "`*`".into(),
            Tok::Slash => "`/`".into(),
            Tok::Caret => "`^`".into(),
            Tok::Eof => "end of input".into(),
        }
    }
}

/// A token and where it starts (1-based line and column, columns counted in characters).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// Splits `src` into tokens, dropping whitespace and `//` comments; the last token is [`Tok::Eof`].
pub(crate) fn lex(src: &str) -> Result<Vec<Token>> {
    let mut lexer = Lexer { chars: src.chars().collect(), i: 0, line: 1, column: 1 };
    let mut tokens = Vec::new();
    while lexer.i < lexer.chars.len() {
        let c = lexer.chars[lexer.i];
        if c == '\n' {
            lexer.i += 1;
            lexer.line += 1;
            lexer.column = 1;
            continue;
        }
        if c.is_whitespace() {
            lexer.advance(1);
            continue;
        }
        if c == '/' && lexer.peek(1) == Some('/') {
            while lexer.i < lexer.chars.len() && lexer.chars[lexer.i] != '\n' {
                lexer.advance(1);
            }
            continue;
        }
        let (line, column) = (lexer.line, lexer.column);
        let tok = if c.is_ascii_alphabetic() || c == '_' {
            lexer.identifier()
        } else if c.is_ascii_digit() || (c == '.' && lexer.peek(1).is_some_and(|d| d.is_ascii_digit())) {
            lexer.number()?
        } else if c == '"' {
            lexer.string()?
        } else {
            lexer.symbol()?
        };
        tokens.push(Token { tok, line, column });
    }
    tokens.push(Token { tok: Tok::Eof, line: lexer.line, column: lexer.column });
    Ok(tokens)
}

/// The lexer's position in the source: a character index and the line and column it stands at.
struct Lexer {
    chars: Vec<char>,
    i: usize,
    line: usize,
    column: usize,
}

/// A syntax error at `line` and `column`.
fn syntax(line: usize, column: usize, expected: &str, found: String) -> Error {
    QasmErrorKind::Syntax { expected: expected.to_string(), found }.at(line, column)
}

impl Lexer {
    /// The character `ahead` places after the current one, if any.
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).copied()
    }

    /// Consumes `n` characters on the current line.
    fn advance(&mut self, n: usize) {
        self.i += n;
        self.column += n;
    }

    /// Consumes characters while `keep` holds for them.
    fn advance_while(&mut self, keep: impl Fn(char) -> bool) {
        while self.i < self.chars.len() && keep(self.chars[self.i]) {
            self.advance(1);
        }
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`.
    fn identifier(&mut self) -> Tok {
        let start = self.i;
        self.advance_while(|c| c.is_ascii_alphanumeric() || c == '_');
        Tok::Ident(self.chars[start..self.i].iter().collect())
    }

    /// An integer, or a real with a decimal point and/or an exponent.
    fn number(&mut self) -> Result<Tok> {
        let (start, line, column) = (self.i, self.line, self.column);
        self.advance_while(|c| c.is_ascii_digit());
        let mut real = false;
        if self.peek(0) == Some('.') {
            real = true;
            self.advance(1);
            self.advance_while(|c| c.is_ascii_digit());
        }
        if matches!(self.peek(0), Some('e' | 'E')) {
            self.exponent()?;
            real = true;
        }
        let text: String = self.chars[start..self.i].iter().collect();
        if real {
            // Every string matched above is valid Rust float syntax.
            let value = text.parse::<f64>().map_err(|_| syntax(line, column, "a real number", text))?;
            Ok(Tok::Real(value))
        } else if text.len() > 1 && text.starts_with('0') {
            Err(syntax(line, column, "an integer without leading zeros", text))
        } else {
            Ok(Tok::Int(text))
        }
    }

    /// An exponent `e[+-]digits` (the current character is the `e` or `E`).
    fn exponent(&mut self) -> Result<()> {
        let mut j = self.i + 1;
        if j < self.chars.len() && (self.chars[j] == '+' || self.chars[j] == '-') {
            j += 1;
        }
        if !(j < self.chars.len() && self.chars[j].is_ascii_digit()) {
            let found = self.chars.get(j).map_or("end of input".to_string(), |c| format!("{c:?}"));
            return Err(syntax(self.line, self.column + (j - self.i), "digits of an exponent", found));
        }
        while j < self.chars.len() && self.chars[j].is_ascii_digit() {
            j += 1;
        }
        self.advance(j - self.i);
        Ok(())
    }

    /// A string between double quotes on one line.
    fn string(&mut self) -> Result<Tok> {
        let start = self.i + 1;
        let mut j = start;
        while j < self.chars.len() && self.chars[j] != '"' && self.chars[j] != '\n' {
            j += 1;
        }
        if j >= self.chars.len() || self.chars[j] != '"' {
            let found = "end of line".into();
            return Err(syntax(self.line, self.column, "a closing `\"` on the same line", found));
        }
        let s: String = self.chars[start..j].iter().collect();
        self.advance(j + 1 - self.i);
        Ok(Tok::Str(s))
    }

    /// A symbol of one or two characters.
    fn symbol(&mut self) -> Result<Tok> {
        let c = self.chars[self.i];
        let (tok, n) = match (c, self.peek(1)) {
            ('-', Some('>')) => (Tok::Arrow, 2),
            ('=', Some('=')) => (Tok::EqEq, 2),
            (';', _) => (Tok::Semi, 1),
            (',', _) => (Tok::Comma, 1),
            ('(', _) => (Tok::LParen, 1),
            (')', _) => (Tok::RParen, 1),
            ('[', _) => (Tok::LBracket, 1),
            (']', _) => (Tok::RBracket, 1),
            ('{', _) => (Tok::LBrace, 1),
            ('}', _) => (Tok::RBrace, 1),
            ('+', _) => (Tok::Plus, 1),
            ('-', _) => (Tok::Minus, 1),
            ('*', _) => (Tok::Star, 1),
            ('/', _) => (Tok::Slash, 1),
            ('^', _) => (Tok::Caret, 1),
            _ => return Err(syntax(self.line, self.column, "a token", format!("character {c:?}"))),
        };
        self.advance(n);
        Ok(tok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok> {
        lex(src).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn numbers_identifiers_and_symbols() {
        assert_eq!(
            kinds("rz(1.5e-3) q[10]; // comment\n-> =="),
            vec![
                Tok::Ident("rz".into()),
                Tok::LParen,
                Tok::Real(1.5e-3),
                Tok::RParen,
                Tok::Ident("q".into()),
                Tok::LBracket,
                Tok::Int("10".into()),
                Tok::RBracket,
                Tok::Semi,
                Tok::Arrow,
                Tok::EqEq,
                Tok::Eof
            ]
        );
        assert_eq!(kinds(".5 2. 3e2"), vec![Tok::Real(0.5), Tok::Real(2.0), Tok::Real(300.0), Tok::Eof]);
    }

    #[test]
    fn positions_count_lines_and_characters() {
        let t = lex("OPENQASM 2.0;\n  qreg π").unwrap_err();
        assert_eq!(t.to_string(), "qasm line 2, column 8: expected a token, found character 'π'");
        let t = lex("a\n  b").unwrap();
        assert_eq!((t[1].line, t[1].column), (2, 3));
    }

    #[test]
    fn malformed_literals_are_errors() {
        assert!(lex("1e+").is_err());
        assert!(lex("007").is_err());
        assert!(lex("include \"qelib1.inc;\n").is_err());
    }
}
