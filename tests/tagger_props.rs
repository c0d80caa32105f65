//! Properties: scheme conversions keep the chunks; gold scored against itself gives 100.

use proptest::prelude::*;
use qnet::tagger::{chunks, score_entities, Chunk, ChunkRules, Scheme, Tag};

const TYPES: [&str; 3] = ["PER", "LOC", "GENE-X"];

/// Sorted, non-overlapping chunks over a sentence of `len` tokens.
fn sentence() -> impl Strategy<Value = (Vec<Chunk>, usize)> {
    (0usize..25).prop_flat_map(|len| {
        proptest::collection::vec((0usize..len.max(1), 1usize..4, 0usize..TYPES.len()), 0..8).prop_map(move |raw| {
            let mut spans: Vec<(usize, usize, usize)> =
                raw.into_iter().map(|(s, l, k)| (s, (s + l).min(len), k)).filter(|(s, e, _)| s < e).collect();
            spans.sort();
            let mut out: Vec<Chunk> = Vec::new();
            for (s, e, k) in spans {
                if out.last().is_none_or(|c| c.end <= s) {
                    out.push(Chunk::new(TYPES[k], s, e));
                }
            }
            (out, len)
        })
    })
}

/// Any tag sequence, well-formed or not.
fn any_tags(prefixes: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec((0..prefixes.len() + 1, 0..TYPES.len()), 0..25).prop_map(move |v| {
        v.into_iter()
            .map(|(p, k)| match prefixes.get(p) {
                Some(prefix) => format!("{prefix}-{}", TYPES[k]),
                None => "O".to_string(),
            })
            .collect()
    })
}

fn parse(tags: &[String]) -> Vec<Tag> {
    tags.iter().map(|t| Tag::parse(t).unwrap()).collect()
}

proptest! {
    #[test]
    fn iob1_to_iob2_to_iobes_to_iob2_keeps_the_chunks((spans, len) in sentence()) {
        let iob1 = Scheme::Iob1.encode(&spans, len);
        prop_assert_eq!(Scheme::detect(&iob1) != Scheme::Iobes, true);
        let iob2 = Scheme::Iob1.to_iob2(&iob1);
        prop_assert_eq!(&iob2, &Scheme::Iob2.encode(&spans, len));
        let iobes = Scheme::Iobes.from_iob2(&iob2);
        prop_assert_eq!(chunks(&iobes, ChunkRules::Iobes), spans.clone());
        let back = Scheme::Iobes.to_iob2(&iobes);
        prop_assert_eq!(&back, &iob2);
        prop_assert_eq!(chunks(&back, ChunkRules::Conlleval), spans.clone());
        prop_assert_eq!(chunks(&back, ChunkRules::StrictIob2), spans.clone());
        prop_assert_eq!(chunks(&iob1, ChunkRules::Conlleval), spans);
    }

    #[test]
    fn converting_ill_formed_iob_tags_keeps_conllevals_chunks(tags in any_tags(&["B", "I"])) {
        let tags = parse(&tags);
        let iob2 = Scheme::Iob1.to_iob2(&tags);
        prop_assert_eq!(chunks(&iob2, ChunkRules::Conlleval), chunks(&tags, ChunkRules::Conlleval));
        let iobes = Scheme::Iobes.from_iob2(&iob2);
        prop_assert_eq!(Scheme::Iobes.to_iob2(&iobes), iob2);
    }

    #[test]
    fn gold_against_itself_scores_100(
        sentences in proptest::collection::vec(any_tags(&["B", "I", "E", "S"]), 1..6)
    ) {
        for rules in [ChunkRules::Conlleval, ChunkRules::Iobes, ChunkRules::StrictIob2] {
            let report = score_entities(&sentences, &sentences, rules).unwrap();
            prop_assert_eq!(report.correct(), report.gold());
            prop_assert_eq!(report.predicted(), report.gold());
            prop_assert_eq!(report.correct_tags(), report.tokens());
            if report.gold() > 0 {
                prop_assert_eq!(report.f1(), 1.0);
                prop_assert!(report.to_string().contains("precision: 100.00%; recall: 100.00%; FB1: 100.00\n"));
            }
            for counts in report.per_type().values() {
                prop_assert_eq!(counts.correct, counts.gold);
            }
        }
    }

    #[test]
    fn the_scorer_counts_the_chunks_that_chunks_finds(
        gold in any_tags(&["B", "I"]),
        pred in any_tags(&["B", "I"]),
    ) {
        let n = gold.len().min(pred.len());
        let (gold, pred) = (&gold[..n], &pred[..n]);
        let report = score_entities(&[gold.to_vec()], &[pred.to_vec()], ChunkRules::Conlleval).unwrap();
        let g = chunks(gold, ChunkRules::Conlleval);
        let p = chunks(pred, ChunkRules::Conlleval);
        let both = p.iter().filter(|c| g.contains(c)).count();
        prop_assert_eq!((report.gold(), report.predicted(), report.correct()), (g.len(), p.len(), both));
    }
}
