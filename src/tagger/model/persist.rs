//! The model file: a versioned, checksummed little-endian binary holding everything a prediction needs.
//!
//! Layout: the magic `QNETTAGR`, the format version (u32), the payload's length (u64), the payload, and the
//! FNV-1a 64 checksum of the payload (u64). The payload holds the configuration, the entity types, the
//! feature hashes, the sparse weights, the CRF scores and the dense path (embeddings and network parameters),
//! each list preceded by its length.

use std::io::Write;
use std::path::Path;

use super::config::{DensePath, TaggerConfig};
use super::crf::LinearChainCrf;
use super::dense::DenseModel;
use super::features::FeatureIndex;
use super::Tagger;
use crate::error::{Error, Result};
use crate::tagger::scheme::Scheme;
use crate::tagger::tagset::TagSet;
use crate::tagger::writer::write_atomic;

const MAGIC: &[u8; 8] = b"QNETTAGR";
/// The format version this build writes and reads.
pub(crate) const VERSION: u32 = 1;

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[derive(Default)]
struct Out(Vec<u8>);

impl Out {
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn usize(&mut self, v: usize) {
        self.u64(v as u64);
    }
    fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn f64s(&mut self, v: &[f64]) {
        self.usize(v.len());
        v.iter().for_each(|x| self.f64(*x));
    }
    fn bytes(&mut self, v: &[u8]) {
        self.usize(v.len());
        self.0.extend_from_slice(v);
    }
}

fn scheme_code(s: Scheme) -> u8 {
    match s {
        Scheme::Iob1 => 0,
        Scheme::Iob2 => 1,
        Scheme::Iobes => 2,
    }
}

fn dense_code(d: DensePath) -> u8 {
    match d {
        DensePath::Quantum => 0,
        DensePath::Classical => 1,
        DensePath::None => 2,
    }
}

pub(crate) fn save(tagger: &Tagger, path: &Path) -> Result<()> {
    let c = &tagger.config;
    let mut o = Out::default();
    for v in [c.qubits, c.layers, c.epochs, c.batch_size] {
        o.usize(v);
    }
    o.f64(c.learning_rate);
    o.f64(c.dense_learning_rate);
    o.u64(c.seed);
    o.u8(dense_code(c.dense));
    o.f64(c.entropy_beta);
    o.usize(c.patience);
    o.f64(c.l2);
    o.f64(c.clip_norm);
    for v in [c.embedding_dim, c.buckets, c.min_feature_count] {
        o.usize(v);
    }
    o.u8(scheme_code(c.scheme));
    o.usize(tagger.tag_set.types().len());
    for t in tagger.tag_set.types() {
        o.bytes(t.as_bytes());
    }
    o.usize(tagger.features.len());
    tagger.features.hashes().iter().for_each(|&h| o.u64(h));
    o.f64s(&tagger.weights);
    o.f64s(&[tagger.crf.transitions(), tagger.crf.start_scores(), tagger.crf.end_scores()].concat());
    match &tagger.dense {
        Some(d) => {
            o.u8(1);
            o.f64s(&d.embeddings);
            o.f64s(&d.params());
        }
        None => o.u8(0),
    }
    let payload = o.0;
    write_atomic(path, |w| {
        let io = |source| Error::io(path, &source);
        w.write_all(MAGIC).map_err(io)?;
        w.write_all(&VERSION.to_le_bytes()).map_err(io)?;
        w.write_all(&(payload.len() as u64).to_le_bytes()).map_err(io)?;
        w.write_all(&payload).map_err(io)?;
        w.write_all(&fnv1a(&payload).to_le_bytes()).map_err(io)
    })
}

/// A bounds-checked reader over the payload; every failure names what was being read.
struct In<'a> {
    bytes: &'a [u8],
    at: usize,
    path: &'a Path,
}

impl<'a> In<'a> {
    fn corrupt(&self, reason: impl Into<String>) -> Error {
        Error::CorruptModel { path: self.path.to_path_buf(), reason: reason.into() }
    }
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        if self.bytes.len() - self.at < n {
            return Err(self.corrupt(format!("truncated while reading {what}")));
        }
        let s = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }
    fn u64(&mut self, what: &str) -> Result<u64> {
        let b = self.take(8, what)?;
        Ok(u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    }
    fn usize(&mut self, what: &str) -> Result<usize> {
        let v = self.u64(what)?;
        usize::try_from(v).map_err(|_| self.corrupt(format!("{what} {v} does not fit in memory")))
    }
    fn f64(&mut self, what: &str) -> Result<f64> {
        let v = f64::from_bits(self.u64(what)?);
        if v.is_finite() {
            Ok(v)
        } else {
            Err(self.corrupt(format!("{what} is not finite ({v})")))
        }
    }
    fn u8(&mut self, what: &str) -> Result<u8> {
        Ok(self.take(1, what)?[0])
    }
    /// A length that `elem` bytes per element must fit in what is left (so no allocation exceeds the file).
    fn len(&mut self, elem: usize, what: &str) -> Result<usize> {
        let n = self.usize(what)?;
        if n.checked_mul(elem).is_none_or(|b| b > self.bytes.len() - self.at) {
            return Err(self.corrupt(format!("{what} {n} is longer than the file")));
        }
        Ok(n)
    }
    fn f64s(&mut self, what: &str) -> Result<Vec<f64>> {
        let n = self.len(8, what)?;
        (0..n).map(|_| self.f64(what)).collect()
    }
}

pub(crate) fn load(path: &Path) -> Result<Tagger> {
    let bytes = std::fs::read(path).map_err(|source| Error::io(path, &source))?;
    let corrupt = |reason: &str| Error::CorruptModel { path: path.to_path_buf(), reason: reason.to_string() };
    if bytes.len() < 28 || &bytes[..8] != MAGIC {
        return Err(corrupt("not a qnet tagger model (bad magic or too short)"));
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if version != VERSION {
        return Err(Error::ModelVersion { path: path.to_path_buf(), found: version, supported: VERSION });
    }
    let mut len_bytes = [0u8; 8];
    len_bytes.copy_from_slice(&bytes[12..20]);
    let len = u64::from_le_bytes(len_bytes);
    if len != (bytes.len() - 28) as u64 {
        return Err(corrupt("the payload's length does not match the file's (truncated or extended)"));
    }
    let payload = &bytes[20..bytes.len() - 8];
    let mut sum = [0u8; 8];
    sum.copy_from_slice(&bytes[bytes.len() - 8..]);
    if u64::from_le_bytes(sum) != fnv1a(payload) {
        return Err(corrupt("checksum mismatch: the file was altered or damaged"));
    }
    let mut r = In { bytes: payload, at: 0, path };
    let tagger = read_payload(&mut r)?;
    if r.at != payload.len() {
        return Err(corrupt("trailing bytes after the model"));
    }
    Ok(tagger)
}

fn read_payload(r: &mut In<'_>) -> Result<Tagger> {
    let qubits = r.usize("qubits")?;
    let layers = r.usize("layers")?;
    let epochs = r.usize("epochs")?;
    let batch_size = r.usize("batch size")?;
    let learning_rate = r.f64("learning rate")?;
    let dense_learning_rate = r.f64("dense learning rate")?;
    let seed = r.u64("seed")?;
    let dense = match r.u8("dense path")? {
        0 => DensePath::Quantum,
        1 => DensePath::Classical,
        2 => DensePath::None,
        v => return Err(r.corrupt(format!("unknown dense path code {v}"))),
    };
    let entropy_beta = r.f64("entropy beta")?;
    let patience = r.usize("patience")?;
    let l2 = r.f64("l2")?;
    let clip_norm = r.f64("clip norm")?;
    let embedding_dim = r.usize("embedding dim")?;
    let buckets = r.usize("buckets")?;
    let min_feature_count = r.usize("min feature count")?;
    let scheme = match r.u8("scheme")? {
        1 => Scheme::Iob2,
        2 => Scheme::Iobes,
        v => return Err(r.corrupt(format!("unknown tagging scheme code {v}"))),
    };
    let c = TaggerConfig {
        qubits,
        layers,
        epochs,
        batch_size,
        learning_rate,
        dense_learning_rate,
        seed,
        dense,
        entropy_beta,
        patience,
        l2,
        clip_norm,
        embedding_dim,
        buckets,
        min_feature_count,
        scheme,
        dense_noise: None,
    };
    c.check().map_err(|e| r.corrupt(format!("invalid configuration: {e}")))?;
    let num_types = r.len(8, "entity type count")?;
    let mut types = Vec::with_capacity(num_types);
    for _ in 0..num_types {
        let n = r.len(1, "entity type length")?;
        let raw = r.take(n, "entity type")?;
        types.push(std::str::from_utf8(raw).map_err(|_| r.corrupt("an entity type is not utf-8"))?.to_string());
    }
    let tag_set = TagSet::new(&types, Scheme::Iob2).map_err(|e| r.corrupt(format!("invalid entity type: {e}")))?;
    if tag_set.types().len() != types.len() {
        return Err(r.corrupt("repeated entity types"));
    }
    let inner = TagSet::new(&types, c.scheme).map_err(|e| r.corrupt(e.to_string()))?;
    let k = inner.len();
    let num_features = r.len(8, "feature count")?;
    let hashes = (0..num_features).map(|_| r.u64("feature hash")).collect::<Result<Vec<_>>>()?;
    let features = FeatureIndex::from_hashes(hashes).ok_or_else(|| r.corrupt("repeated feature hashes"))?;
    let weights = r.f64s("sparse weights")?;
    if Some(weights.len()) != num_features.checked_mul(k) {
        return Err(r.corrupt(format!("{} sparse weights for {num_features} features x {k} tags", weights.len())));
    }
    let scores = r.f64s("crf scores")?;
    if scores.len() != k * k + 2 * k {
        return Err(r.corrupt(format!("{} crf scores for {k} tags", scores.len())));
    }
    let mut crf = LinearChainCrf::new(&inner)?;
    crf.set_scores(&scores[..k * k], &scores[k * k..k * k + k], &scores[k * k + k..])?;
    let has_dense = r.u8("dense flag")?;
    let mut dense = DenseModel::new(&c, k)?;
    match (has_dense, &mut dense) {
        (0, None) => {}
        (1, Some(d)) => {
            let embeddings = r.f64s("embeddings")?;
            if embeddings.len() != d.embeddings.len() {
                return Err(r.corrupt(format!(
                    "{} embedding values, expected {}",
                    embeddings.len(),
                    d.embeddings.len()
                )));
            }
            d.embeddings = embeddings;
            let params = r.f64s("dense parameters")?;
            if params.len() != d.num_params() {
                return Err(r.corrupt(format!("{} dense parameters, expected {}", params.len(), d.num_params())));
            }
            d.set_params(&params)?;
        }
        _ => return Err(r.corrupt("the dense path does not match the configuration")),
    }
    Ok(Tagger { config: c, tag_set, inner, features, weights, crf, dense, history: Vec::new() })
}
