//! The OpenQASM 2.0 lexer: source text to tokens with line and column.

use crate::error::{QasmErrorKind, Result};

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
    let chars: Vec<char> = src.chars().collect();
    let mut tokens = Vec::new();
    let (mut i, mut line, mut column) = (0usize, 1usize, 1usize);
    let syntax = |line, column, expected: &str, found: String| {
        QasmErrorKind::Syntax { expected: expected.to_string(), found }.at(line, column)
    };
    while i < chars.len() {
        let c = chars[i];
        let (start_line, start_column) = (line, column);
        // Consumes `n` characters on the current line.
        let advance = |i: &mut usize, column: &mut usize, n: usize| {
            *i += n;
            *column += n;
        };
        if c == '\n' {
            i += 1;
            line += 1;
            column = 1;
            continue;
        }
        if c.is_whitespace() {
            advance(&mut i, &mut column, 1);
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                advance(&mut i, &mut column, 1);
            }
            continue;
        }
        let tok = if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                advance(&mut i, &mut column, 1);
            }
            Tok::Ident(chars[start..i].iter().collect())
        } else if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                advance(&mut i, &mut column, 1);
            }
            let mut real = false;
            if i < chars.len() && chars[i] == '.' {
                real = true;
                advance(&mut i, &mut column, 1);
                while i < chars.len() && chars[i].is_ascii_digit() {
                    advance(&mut i, &mut column, 1);
                }
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    while j < chars.len() && chars[j].is_ascii_digit() {
                        j += 1;
                    }
                    real = true;
                    let n = j - i;
                    advance(&mut i, &mut column, n);
                } else {
                    let found = chars.get(j).map_or("end of input".to_string(), |c| format!("{c:?}"));
                    return Err(syntax(line, column + (j - i), "digits of an exponent", found));
                }
            }
            let text: String = chars[start..i].iter().collect();
            if real {
                // Every string matched above is valid Rust float syntax.
                let value = text.parse::<f64>().map_err(|_| syntax(start_line, start_column, "a real number", text))?;
                Tok::Real(value)
            } else {
                if text.len() > 1 && text.starts_with('0') {
                    return Err(syntax(start_line, start_column, "an integer without leading zeros", text));
                }
                Tok::Int(text)
            }
        } else if c == '"' {
            let start = i + 1;
            let mut j = start;
            while j < chars.len() && chars[j] != '"' && chars[j] != '\n' {
                j += 1;
            }
            if j >= chars.len() || chars[j] != '"' {
                return Err(syntax(start_line, start_column, "a closing `\"` on the same line", "end of line".into()));
            }
            let s: String = chars[start..j].iter().collect();
            let n = j + 1 - i;
            advance(&mut i, &mut column, n);
            Tok::Str(s)
        } else {
            let two = chars.get(i + 1).copied();
            let (tok, n) = match (c, two) {
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
                _ => return Err(syntax(line, column, "a token", format!("character {c:?}"))),
            };
            advance(&mut i, &mut column, n);
            tok
        };
        tokens.push(Token { tok, line: start_line, column: start_column });
    }
    tokens.push(Token { tok: Tok::Eof, line, column });
    Ok(tokens)
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
