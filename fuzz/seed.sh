#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds from the test fixtures and fuzz/seeds/ (the corpus directories are
# not committed; libFuzzer grows them as it runs). Safe to run again: it only adds files.
#   qasm       tests/fixtures/qasm/*.qasm
#   conll      the start of the CoNLL fixtures and of the embedded sample, behind a few format bytes
#   conlleval  the start of the conlleval fixtures, behind a few option bytes
#   serde      fuzz/seeds/serde/*.txt: a type name, a line break and one valid value of it in JSON
set -euo pipefail
cd "$(dirname "$0")"
fixtures=../tests/fixtures
mkdir -p corpus/qasm corpus/conll corpus/conlleval corpus/serde

cp "$fixtures"/qasm/*.qasm corpus/qasm/

# A first byte picks the format (conll) or the options (conlleval); keep inputs a few kilobytes long.
seed() { # seed <dir> <option byte in hex> <file> <name>
  { printf "\\x$2"; head -n 60 "$3"; } >"corpus/$1/$4-$2"
}
for f in "$fixtures"/conlleval/{iob1,iob2,iobes,rules}.txt ../src/tagger/sample/valid.txt; do
  name=$(basename "$f" .txt)
  for byte in 00 01 05 0c 13; do seed conll "$byte" "$f" "$name"; done
  for byte in 00 08 1d 31; do seed conlleval "$byte" "$f" "$name"; done
done
# A WNUT-style file with a byte order mark, invisible lines and lines that lost a column: strict and lenient.
for byte in 00 20 22; do seed conll "$byte" "$fixtures/wnut/dev.txt" wnut; done

cp seeds/serde/*.txt corpus/serde/
echo "seeded: $(ls corpus/qasm | wc -l) qasm, $(ls corpus/conll | wc -l) conll," \
  "$(ls corpus/conlleval | wc -l) conlleval, $(ls corpus/serde | wc -l) serde"
