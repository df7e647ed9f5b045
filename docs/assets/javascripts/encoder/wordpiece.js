/* all-MiniLM-L6-v2's WordPiece tokenizer (BERT, uncased), for the page and its worker.
 *
 * The same steps as the model's tokenizer.json, run by the Rust `tokenizers` library on
 * the Python side (aiguide/models/tokenizers.py):
 *   1. special tokens written in the text ("[SEP]") are matched whole, before anything else;
 *   2. BertNormalizer: drop control characters, whitespace becomes " ", spaces around CJK
 *      ideographs, accents stripped (NFD, then marks dropped), lower case;
 *   3. BertPreTokenizer: split on spaces, every punctuation character a word of its own;
 *   4. WordPiece: the longest vocabulary entry from the left, then "##" pieces; a word that
 *      cannot be covered, or is longer than 100 characters, is one [UNK].
 * Which characters count as control, space or punctuation comes from the real tokenizer
 * (the `drop`, `space` and `punct` ranges in the tokenizer file, see aiguide/web/minilm.py),
 * not from this browser's Unicode tables, which are newer than the Rust crates'.
 * aiguide/web/minilm.py refuses to export a tokenizer.json that says anything else. */
(function (root) {
  "use strict";
  if (root.aigWordPiece) return;

  // Ideographs that BERT spaces out (the ranges of tokenizers' is_chinese_char).
  // Sorted, for inRanges' binary search.
  const CJK = [[0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xf900, 0xfaff], [0x20000, 0x2a6df],
    [0x2a700, 0x2b73f], [0x2b740, 0x2b81f], [0x2b920, 0x2ceaf], [0x2f800, 0x2fa1f]];

  /* A membership test over sorted [first, last] runs (binary search). */
  function inRanges(runs) {
    return (cp) => {
      let lo = 0;
      let hi = runs.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (cp < runs[mid][0]) hi = mid - 1;
        else if (cp > runs[mid][1]) lo = mid + 1;
        else return true;
      }
      return false;
    };
  }
  const isCJK = inRanges(CJK);

  /* The tokenizer for one vocabulary file: {vocab, drop, space, punct} plus the manifest's
   * settings {unk, prefix, max_chars, cls, sep, specials}. */
  function create(file, settings) {
    const ids = new Map(file.vocab.map((token, id) => [token, id]));
    const isDropped = inRanges(file.drop);
    const isSpace = inRanges(file.space);
    const isPunct = inRanges(file.punct);
    const unk = ids.get(settings.unk);
    const specials = settings.specials.map((s) => s.replace(/[[\]]/g, "\\$&"));
    const specialRe = new RegExp(`(${specials.join("|")})`);

    function normalize(text) {
      let cleaned = "";
      for (const ch of text) {
        const cp = ch.codePointAt(0);
        if (isDropped(cp)) continue;
        cleaned += isSpace(cp) ? " " : isCJK(cp) ? ` ${ch} ` : ch;
      }
      let out = "";
      for (const ch of cleaned.normalize("NFD")) {
        if (!isDropped(ch.codePointAt(0))) out += ch.toLowerCase(); // one character at a time, as Rust lower-cases
      }
      return out;
    }

    function words(normal) {
      const out = [];
      for (const chunk of normal.split(" ")) {
        let word = "";
        for (const ch of chunk) {
          if (isPunct(ch.codePointAt(0))) {
            if (word) out.push(word);
            out.push(ch);
            word = "";
          } else {
            word += ch;
          }
        }
        if (word) out.push(word);
      }
      return out;
    }

    function wordPieces(word, out) {
      const chars = Array.from(word); // code points, as Rust counts chars
      if (chars.length > settings.max_chars) {
        out.push(unk);
        return;
      }
      const pieces = [];
      let start = 0;
      while (start < chars.length) {
        let end = chars.length;
        let found;
        while (start < end) {
          const piece = (start > 0 ? settings.prefix : "") + chars.slice(start, end).join("");
          if (ids.has(piece)) {
            found = ids.get(piece);
            break;
          }
          end -= 1;
        }
        if (found === undefined) {
          out.push(unk);
          return;
        }
        pieces.push(found);
        start = end;
      }
      out.push(...pieces);
    }

    /* Token ids of a text with [CLS] first and [SEP] last, as MiniLM.encode gives them. */
    function encode(text) {
      const out = [settings.cls];
      text.split(specialRe).forEach((part, i) => {
        if (i % 2) out.push(ids.get(part));
        else for (const word of words(normalize(part))) wordPieces(word, out);
      });
      out.push(settings.sep);
      return out;
    }

    return { encode, normalize, token: (id) => file.vocab[id] };
  }

  root.aigWordPiece = { create };
})(self);
