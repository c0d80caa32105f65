//! Token features: the word, its shape, affixes and flags, POS and chunk columns, a ±2 window, conjunctions and
//! document-level evidence, hashed to 64 bits and indexed from the training data.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::super::reader::Sentence;

#[cfg(test)]
mod tests;

/// A hasher for keys that are already well-mixed 64-bit hashes.
#[derive(Default, Clone, Copy, Debug)]
pub(crate) struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by feature hashes.
pub(crate) type HashIndex = HashMap<u64, u32, BuildHasherDefault<PreHashed>>;

/// FNV-1a over a template id and byte strings, finished with a splitmix64 round.
#[derive(Clone, Copy)]
struct FeatureHash(u64);

impl FeatureHash {
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    fn new(template: u8) -> FeatureHash {
        FeatureHash((0xcbf2_9ce4_8422_2325 ^ u64::from(template)).wrapping_mul(Self::PRIME))
    }

    fn part(mut self, bytes: &[u8]) -> FeatureHash {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(Self::PRIME);
        }
        self.0 = (self.0 ^ 0xff).wrapping_mul(Self::PRIME);
        self
    }

    fn finish(self) -> u64 {
        let mut z = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

// Template ids. A feature is a template and its values; the ids only need to differ.
const BIAS: u8 = 0;
const WORD: u8 = 1;
const LOWER: u8 = 2;
const SHAPE: u8 = 3;
const SHORT_SHAPE: u8 = 4;
const PREFIX: u8 = 5; // + length - 1 (4 ids)
const SUFFIX: u8 = 9; // + length - 1 (4 ids)
const FLAG: u8 = 13;
const LENGTH: u8 = 14;
const POS: u8 = 15;
const CHUNK: u8 = 16;
const POS_SHAPE: u8 = 17;
const WIN_LOWER: u8 = 20; // + window slot (4 ids)
const WIN_SHAPE: u8 = 24;
const WIN_POS: u8 = 28;
const WIN_CHUNK: u8 = 32;
const WIN_PAD: u8 = 36;
const WIN_SUFFIX: u8 = 40;
const BI_LOWER_PREV: u8 = 50;
const BI_LOWER_NEXT: u8 = 51;
const BI_POS_PREV: u8 = 52;
const BI_POS_NEXT: u8 = 53;
const TRI_SHAPE: u8 = 54;
const TRI_POS: u8 = 55;
const POSITION: u8 = 60;
const HEADLINE: u8 = 61;
const HEADLINE_LOWER: u8 = 62;
const DOC_FORM: u8 = 70;
const DOC_SHAPE_LOWER: u8 = 71;

const WINDOW: [isize; 4] = [-2, -1, 1, 2];

/// What is computed once per token and read by its own and its neighbours' features.
struct TokenInfo {
    lower: String,
    shape: String,
    short_shape: String,
    case: Case,
}

/// How a word is written.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Case {
    /// No letter.
    NoLetter,
    /// Only lowercase letters.
    Lower,
    /// An uppercase first letter followed by some lowercase.
    Title,
    /// Letters, none lowercase (two or more letters).
    Upper,
    /// Anything else (`iPhone`, a single capital).
    Mixed,
}

impl Case {
    fn of(word: &str) -> Case {
        let (mut upper, mut lower) = (0usize, 0usize);
        let mut first_upper = false;
        for (i, c) in word.chars().enumerate() {
            if c.is_uppercase() {
                upper += 1;
                if i == 0 {
                    first_upper = true;
                }
            } else if c.is_lowercase() {
                lower += 1;
            }
        }
        match (upper, lower) {
            (0, 0) => Case::NoLetter,
            (0, _) => Case::Lower,
            (u, 0) if u >= 2 => Case::Upper,
            (1, l) if l > 0 && first_upper => Case::Title,
            _ => Case::Mixed,
        }
    }

    fn code(self) -> u8 {
        self as u8
    }
}

fn shape_char(c: char) -> char {
    if c.is_uppercase() {
        'X'
    } else if c.is_lowercase() {
        'x'
    } else if c.is_ascii_digit() {
        'd'
    } else {
        c
    }
}

impl TokenInfo {
    fn new(word: &str) -> TokenInfo {
        let shape: String = word.chars().take(16).map(shape_char).collect();
        let mut short_shape = String::new();
        for c in shape.chars() {
            if !short_shape.ends_with(c) {
                short_shape.push(c);
            }
        }
        TokenInfo { lower: word.to_lowercase(), shape, short_shape, case: Case::of(word) }
    }
}

/// How each word form (lower-cased) is written across one document: counts of lowercase, title case in the
/// middle of a sentence, title case first in a sentence and all capitals.
#[derive(Debug, Default, Clone)]
pub(crate) struct DocumentForms {
    forms: HashMap<String, [u32; 4]>,
}

const FORM_LOWER: usize = 0;
const FORM_TITLE_MID: usize = 1;
const FORM_TITLE_FIRST: usize = 2;
const FORM_UPPER: usize = 3;

fn form_slot(case: Case, position: usize) -> Option<usize> {
    match case {
        Case::Lower => Some(FORM_LOWER),
        Case::Title if position > 0 => Some(FORM_TITLE_MID),
        Case::Title => Some(FORM_TITLE_FIRST),
        Case::Upper => Some(FORM_UPPER),
        _ => None,
    }
}

impl DocumentForms {
    /// The forms of the words of `sentences` (one document).
    pub(crate) fn of<'a, I: IntoIterator<Item = &'a [String]>>(sentences: I) -> DocumentForms {
        let mut forms: HashMap<String, [u32; 4]> = HashMap::new();
        for tokens in sentences {
            for (i, word) in tokens.iter().enumerate() {
                if let Some(slot) = form_slot(Case::of(word), i) {
                    forms.entry(word.to_lowercase()).or_insert([0; 4])[slot] += 1;
                }
            }
        }
        DocumentForms { forms }
    }
}

/// The columns of one sentence that features read.
pub(crate) struct SentenceView<'a> {
    pub(crate) tokens: &'a [String],
    pub(crate) pos: Option<&'a [String]>,
    pub(crate) chunks: Option<&'a [String]>,
}

impl<'a> SentenceView<'a> {
    pub(crate) fn of(sentence: &'a Sentence) -> SentenceView<'a> {
        SentenceView {
            tokens: &sentence.tokens,
            pos: sentence.pos.as_deref().filter(|p| p.len() == sentence.tokens.len()),
            chunks: sentence.chunks.as_deref().filter(|c| c.len() == sentence.tokens.len()),
        }
    }
}

/// The feature hashes of every token of a sentence: `out` receives them token after token and `offsets` the
/// end of each token's run (so token t's features are `out[offsets[t-1]..offsets[t]]`).
pub(crate) fn sentence_features(
    sentence: &SentenceView<'_>,
    doc: &DocumentForms,
    out: &mut Vec<u64>,
    offsets: &mut Vec<usize>,
) {
    let tokens = sentence.tokens;
    let n = tokens.len();
    let info: Vec<TokenInfo> = tokens.iter().map(|w| TokenInfo::new(w)).collect();
    let letters = info.iter().filter(|t| t.case != Case::NoLetter).count();
    let upper = info.iter().filter(|t| t.case == Case::Upper).count();
    let headline = letters >= 2 && 2 * upper > letters;
    for i in 0..n {
        let word = tokens[i].as_str();
        let t = &info[i];
        let mut push = |h: FeatureHash| out.push(h.finish());
        push(FeatureHash::new(BIAS));
        push(FeatureHash::new(WORD).part(word.as_bytes()));
        push(FeatureHash::new(LOWER).part(t.lower.as_bytes()));
        push(FeatureHash::new(SHAPE).part(t.shape.as_bytes()));
        push(FeatureHash::new(SHORT_SHAPE).part(t.short_shape.as_bytes()));
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        for len in 1..=4.min(chars.len()) {
            let end = chars.get(len).map_or(word.len(), |&(b, _)| b);
            push(FeatureHash::new(PREFIX + len as u8 - 1).part(&word.as_bytes()[..end]));
            let start = chars[chars.len() - len].0;
            push(FeatureHash::new(SUFFIX + len as u8 - 1).part(&word.as_bytes()[start..]));
        }
        let flags = [
            word.chars().any(|c| c.is_ascii_digit()),
            !word.is_empty() && word.chars().all(|c| c.is_ascii_digit()),
            word.contains('-'),
            word.contains('.'),
            word.contains('\''),
            !word.chars().any(char::is_alphanumeric),
        ];
        for (f, _) in flags.iter().enumerate().filter(|(_, &set)| set) {
            push(FeatureHash::new(FLAG).part(&[f as u8]));
        }
        let length = match chars.len() {
            0..=2 => chars.len() as u8,
            3..=4 => 3,
            5..=7 => 4,
            _ => 5,
        };
        push(FeatureHash::new(LENGTH).part(&[length]));
        if let Some(p) = col(sentence.pos, i) {
            push(FeatureHash::new(POS).part(p));
            push(FeatureHash::new(POS_SHAPE).part(p).part(t.short_shape.as_bytes()));
        }
        if let Some(c) = col(sentence.chunks, i) {
            push(FeatureHash::new(CHUNK).part(c));
        }
        for (slot, &d) in WINDOW.iter().enumerate() {
            let j = i as isize + d;
            let slot = slot as u8;
            if j < 0 || j >= n as isize {
                push(FeatureHash::new(WIN_PAD + slot));
                continue;
            }
            let j = j as usize;
            push(FeatureHash::new(WIN_LOWER + slot).part(info[j].lower.as_bytes()));
            push(FeatureHash::new(WIN_SHAPE + slot).part(info[j].short_shape.as_bytes()));
            if let Some(p) = col(sentence.pos, j) {
                push(FeatureHash::new(WIN_POS + slot).part(p));
            }
            if d.abs() == 1 {
                if let Some(c) = col(sentence.chunks, j) {
                    push(FeatureHash::new(WIN_CHUNK + slot).part(c));
                }
                let lower = info[j].lower.as_bytes();
                let start = info[j].lower.char_indices().rev().nth(2).map_or(0, |(b, _)| b);
                push(FeatureHash::new(WIN_SUFFIX + slot).part(&lower[start..]));
            }
        }
        let prev = i.checked_sub(1).map(|j| &info[j]);
        let next = info.get(i + 1);
        let none = b"<s>".as_slice();
        push(FeatureHash::new(BI_LOWER_PREV).part(lower_of(prev, none)).part(t.lower.as_bytes()));
        push(FeatureHash::new(BI_LOWER_NEXT).part(t.lower.as_bytes()).part(lower_of(next, none)));
        push(
            FeatureHash::new(TRI_SHAPE)
                .part(shape_of(prev, none))
                .part(t.short_shape.as_bytes())
                .part(shape_of(next, none)),
        );
        if let Some(pos) = sentence.pos {
            let at = |j: Option<usize>| j.map_or(none, |j| pos[j].as_bytes());
            let (p, q) = (i.checked_sub(1), (i + 1 < n).then_some(i + 1));
            push(FeatureHash::new(BI_POS_PREV).part(at(p)).part(pos[i].as_bytes()));
            push(FeatureHash::new(BI_POS_NEXT).part(pos[i].as_bytes()).part(at(q)));
            push(FeatureHash::new(TRI_POS).part(at(p)).part(pos[i].as_bytes()).part(at(q)));
        }
        if i == 0 {
            push(FeatureHash::new(POSITION).part(b"first"));
        }
        if i + 1 == n {
            push(FeatureHash::new(POSITION).part(b"last"));
        }
        if headline {
            push(FeatureHash::new(HEADLINE));
            push(FeatureHash::new(HEADLINE_LOWER).part(t.lower.as_bytes()));
        }
        // How the same word is written elsewhere in the document (this occurrence left out).
        if let Some(counts) = doc.forms.get(&t.lower) {
            let mut counts = *counts;
            if let Some(slot) = form_slot(t.case, i) {
                counts[slot] = counts[slot].saturating_sub(1);
            }
            let here = form_slot(t.case, i).map_or(9, |s| s as u8);
            for (slot, &c) in counts.iter().enumerate() {
                if c > 0 {
                    push(FeatureHash::new(DOC_FORM).part(&[here, slot as u8, t.case.code()]));
                    if headline {
                        push(FeatureHash::new(DOC_SHAPE_LOWER).part(&[slot as u8]).part(t.lower.as_bytes()));
                    }
                }
            }
        }
        offsets.push(out.len());
    }
}

fn col(c: Option<&[String]>, i: usize) -> Option<&[u8]> {
    c.map(|c| c[i].as_bytes())
}

fn lower_of<'a>(t: Option<&'a TokenInfo>, none: &'a [u8]) -> &'a [u8] {
    t.map_or(none, |t| t.lower.as_bytes())
}

fn shape_of<'a>(t: Option<&'a TokenInfo>, none: &'a [u8]) -> &'a [u8] {
    t.map_or(none, |t| t.short_shape.as_bytes())
}

/// The features of a corpus's sentences, hashed, with each sentence's token runs.
pub(crate) struct HashedSentence {
    pub(crate) hashes: Vec<u64>,
    pub(crate) offsets: Vec<usize>,
}

/// Hashes the features of every sentence, with document evidence gathered per `document` index.
pub(crate) fn hash_sentences(sentences: &[&Sentence]) -> Vec<HashedSentence> {
    let docs = document_forms(sentences);
    let empty = DocumentForms::default();
    let one = |s: &&Sentence| {
        let mut hashes = Vec::with_capacity(s.len() * 48);
        let mut offsets = Vec::with_capacity(s.len());
        let doc = docs.get(&s.document).unwrap_or(&empty);
        sentence_features(&SentenceView::of(s), doc, &mut hashes, &mut offsets);
        HashedSentence { hashes, offsets }
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        sentences.par_iter().map(one).collect()
    }
    #[cfg(not(feature = "parallel"))]
    sentences.iter().map(one).collect()
}

/// The word forms of each document of `sentences`, keyed by document index.
pub(crate) fn document_forms(sentences: &[&Sentence]) -> HashMap<usize, DocumentForms> {
    let mut by_doc: HashMap<usize, Vec<&[String]>> = HashMap::new();
    for s in sentences {
        by_doc.entry(s.document).or_default().push(&s.tokens);
    }
    by_doc.into_iter().map(|(d, toks)| (d, DocumentForms::of(toks))).collect()
}

/// Feature hash → id for the features seen at least `min_count` times in training; ids follow first
/// occurrence, so the same data gives the same ids.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FeatureIndex {
    hashes: Vec<u64>,
    index: HashIndex,
}

impl FeatureIndex {
    pub(crate) fn build(sentences: &[HashedSentence], min_count: usize) -> FeatureIndex {
        let mut counts: HashIndex = HashIndex::default();
        for s in sentences {
            for &h in &s.hashes {
                let c = counts.entry(h).or_insert(0);
                *c = c.saturating_add(1);
            }
        }
        let mut hashes = Vec::new();
        let mut index = HashIndex::default();
        for s in sentences {
            for &h in &s.hashes {
                if counts[&h] as usize >= min_count && !index.contains_key(&h) {
                    index.insert(h, hashes.len() as u32);
                    hashes.push(h);
                }
            }
        }
        FeatureIndex { hashes, index }
    }

    /// Rebuilds the index from its hashes in id order.
    pub(crate) fn from_hashes(hashes: Vec<u64>) -> Option<FeatureIndex> {
        let mut index = HashIndex::default();
        index.reserve(hashes.len());
        for (i, &h) in hashes.iter().enumerate() {
            if index.insert(h, u32::try_from(i).ok()?).is_some() {
                return None;
            }
        }
        Some(FeatureIndex { hashes, index })
    }

    pub(crate) fn len(&self) -> usize {
        self.hashes.len()
    }

    pub(crate) fn hashes(&self) -> &[u64] {
        &self.hashes
    }

    /// The ids of a hashed sentence's known features, with the same token runs.
    pub(crate) fn ids(&self, s: &HashedSentence) -> SentenceFeatures {
        let mut ids = Vec::with_capacity(s.hashes.len());
        let mut offsets = Vec::with_capacity(s.offsets.len());
        let mut from = 0;
        for &end in &s.offsets {
            ids.extend(s.hashes[from..end].iter().filter_map(|h| self.index.get(h).copied()));
            offsets.push(ids.len());
            from = end;
        }
        SentenceFeatures { ids, offsets }
    }
}

/// The feature ids of one sentence's tokens.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct SentenceFeatures {
    pub(crate) ids: Vec<u32>,
    pub(crate) offsets: Vec<usize>,
}

impl SentenceFeatures {
    pub(crate) fn len(&self) -> usize {
        self.offsets.len()
    }

    pub(crate) fn token(&self, t: usize) -> &[u32] {
        let start = if t == 0 { 0 } else { self.offsets[t - 1] };
        &self.ids[start..self.offsets[t]]
    }
}

/// Where each sentence's rows start in a batch's table of `width` values per token (the dense scores and
/// emission gradients, K per token), and the table's length.
pub(crate) fn row_offsets(sentences: &[&SentenceFeatures], width: usize) -> (Vec<usize>, usize) {
    let mut offsets = Vec::with_capacity(sentences.len());
    let mut at = 0;
    for s in sentences {
        offsets.push(at);
        at += s.len() * width;
    }
    (offsets, at)
}
