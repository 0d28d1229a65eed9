/* kb's error search in the browser: what `kb search` does, on the site, offline.
 *
 * The rules (token patterns, weights, word lists, thresholds) and each entry's tokens come from
 * search/kb-errors.json, which the site build writes from the same records as the terminal's index
 * (kbtools/searchrules.py, kbtools/index/record.py). This file only follows the steps of
 * kbtools/normalize.py (tokens), kbtools/search.py (candidates: BM25F as Whoosh scores it, the
 * best `candidates` of them) and kbtools/evidence.py (judging each candidate, the order, the tiers).
 * Each function below names the Python function it follows; keep the two in step.
 */
(function (global) {
  "use strict";

  // Python's text[:n]: the first n code points.
  function cpSlice(text, n) {
    if (text.length <= n) return text;
    let i = 0;
    for (let count = 0; i < text.length && count < n; count++) {
      const c = text.charCodeAt(i);
      i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
    }
    return text.slice(0, i);
  }

  function cpLength(text) {
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (!(c >= 0xdc00 && c <= 0xdfff)) n++;
    }
    return n;
  }

  // Python's round(x, digits), as far as ordering needs it.
  function round(x, digits) {
    return Number(x.toFixed(digits));
  }

  class Engine {
    constructor(data) {
      const r = (this.rules = data.rules);
      const p = r.patterns;
      const re = (source, flags) => new RegExp(source, flags);
      this.variable = re(p.variable, "gu");
      this.word = re(p.word, "gu");
      this.partSplit = re(p.part_split, "u");
      this.camel = re(p.camel, "gu");
      this.hexId = re(p.hex_id, "u");
      this.digits = re(p.digits, "u");
      this.errno = re(p.errno, "gu");
      this.cjk = re(p.cjk, "u");
      this.spaces = re(p.space, "u");
      this.identifierChars = re(p.identifier_chars, "u");
      this.mixed = re(p.mixed, "u");
      this.fileName = re(p.file_name, "u");
      this.quoted = re(p.quoted, "gu");
      this.frameLine = re(p.frame_line, "u");
      this.errorLine = re(p.error_line, "u");
      this.lowLevelLine = re(p.low_level_line, "u");
      this.logMarks = re(p.log_marks, "mu");
      this.stopwords = new Set(r.stopwords);
      this.common = new Set(r.common);
      this.latinCache = new Map();
      this.fields = data.field_names;
      this.boosts = this.fields.map((name) => r.fields[name]);
      this.strongFields = r.strong_fields.map((name) => this.fields.indexOf(name));
      // No inverted index is built up front (at 1k entries that alone took longer than a search):
      // each search reads the entries' token numbers once for its own tokens (postingsFor), and an
      // entry's token table is only made when it is judged (held), a few dozen per search.
      this.vocabulary = data.vocabulary;
      this.numbers = new Map(this.vocabulary.map((token, i) => [token, i]));
      this.entries = data.entries;
      this.mark = new Int32Array(this.vocabulary.length).fill(-1);
      this.heldCache = new Map();
      this.total = Math.max(this.entries.length, 1);
      this.avgLength = data.field_totals.map((t) => t / this.total || 1);
    }

    // -- kbtools/normalize.py ------------------------------------------------------------

    isNoise(word) {
      return cpLength(word) < 2 || this.digits.test(word) || this.hexId.test(word) || this.stopwords.has(word);
    }

    latinTokens(word) {  // normalize._latin_tokens
      const cached = this.latinCache.get(word);
      if (cached) return cached;
      const original = word;
      word = word.replace(/^_+|_+$/g, "");
      let parts = word.split(this.partSplit).filter((part) => part);
      if (parts.length === 1) {
        const camel = word.match(this.camel);
        if (camel && camel.length) parts = camel;
      }
      const lower = word.toLowerCase();
      const lowerParts = parts.map((part) => part.toLowerCase());
      const out = [];
      if (!lowerParts.some((part) => this.hexId.test(part)) && !this.isNoise(lower)) out.push(lower);
      if (lowerParts.length > 1) {
        for (const part of lowerParts) if (!this.isNoise(part) && part !== lower) out.push(part);
      }
      if (this.latinCache.size > 65536) this.latinCache.clear();
      this.latinCache.set(original, out);
      return out;
    }

    cjkTokens(run) {  // normalize._cjk_tokens (CJK runs are in the BMP: one code unit per character)
      if (run.length === 1) return [run];
      const out = [];
      for (let i = 0; i < run.length - 1; i++) out.push(run.slice(i, i + 2));
      return out;
    }

    tokens(text, limit) {  // normalize.tokens
      const out = [];
      text = text.replace(this.variable, " ");
      if (text.includes("(")) for (const m of text.matchAll(this.errno)) out.push(`(${m[1]})`);
      for (const m of text.matchAll(this.word)) {
        const word = m[0];
        const found = this.cjk.test(word) ? this.cjkTokens(word) : this.latinTokens(word);
        for (const token of found) out.push(token);
        if (limit !== undefined && out.length >= limit) return out.slice(0, limit);
      }
      return out;
    }

    queryTokens(text) {  // normalize.query_tokens
      const capped = cpSlice(text, this.rules.max_query_chars);
      return [...new Set(this.tokens(capped, this.rules.max_query_tokens))];
    }

    wordSpans(line, wanted) {  // normalize.word_spans (code-unit offsets, for the page)
      const spans = [];
      for (const m of line.matchAll(this.word)) {
        const word = m[0];
        if (this.cjk.test(word)) {
          this.cjkTokens(word).forEach((gram, i) => {
            if (wanted.has(gram)) spans.push([m.index + i, m.index + i + gram.length]);
          });
        } else if (this.latinTokens(word).some((t) => wanted.has(t))) {
          spans.push([m.index, m.index + word.length]);
        }
      }
      spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      const merged = [];
      for (const [start, end] of spans) {
        const last = merged[merged.length - 1];
        if (last && start <= last[1]) last[1] = Math.max(end, last[1]);
        else merged.push([start, end]);
      }
      return merged;
    }

    // -- kbtools/evidence.py -------------------------------------------------------------

    isIdentifier(token) {  // evidence.is_identifier
      return this.identifierChars.test(token.replace(/^_+|_+$/g, "")) && !this.fileName.test(token)
        && !/^[0-9\uff10-\uff19]/u.test(token);
    }

    weight(token) {  // evidence.weight
      const w = this.rules.weights;
      if (this.common.has(token)) return w.common;
      if (this.isIdentifier(token) || this.mixed.test(token)) return w.identifier;
      return w.plain;
    }

    subjects(text) {  // evidence.subjects
      const names = new Set();
      const capped = cpSlice(text, this.rules.subjects_max_chars);
      for (const m of capped.matchAll(this.quoted)) {
        if (capped.slice(Math.max(0, m.index - 9), m.index).endsWith("function ")) continue;
        names.add(m.slice(1).find((group) => group).trim().toLowerCase());
      }
      return names;
    }

    queryWeights(qTokens, text) {  // evidence.query_weights
      const lines = cpSlice(text, this.rules.max_query_chars).split("\n");
      const errors = lines.map((line) => this.errorLine.test(line));
      const anyError = errors.some((e) => e);
      const background = lines.map((line, i) => this.frameLine.test(line)
        || (anyError && !errors[i] && this.lowLevelLine.test(line)));
      if (!background.some((b) => b)) return new Map(qTokens.map((t) => [t, this.weight(t)]));
      const primary = new Set(this.tokens(lines.filter((line, i) => !background[i]).join("\n"),
        this.rules.max_query_tokens));
      const common = this.rules.weights.common;
      return new Map(qTokens.map((t) => [t, primary.has(t) ? this.weight(t) : Math.min(this.weight(t), common)]));
    }

    bestLine(lines, qWeights) {  // evidence.best_line
      const r = this.rules;
      let best = "", bestShared = 0, bestKeyShare = 0, bestShare = 0;
      for (const line of lines) {
        const toks = new Set(this.tokens(line));
        let shared = 0, total = 0, any = false, idents = false, identShared = false;
        for (const t of toks) {
          const w = this.weight(t);
          total += w;
          if (w >= r.weights.identifier) {
            idents = true;
            identShared = identShared || qWeights.has(t);
          }
          if (qWeights.has(t)) {
            shared += qWeights.get(t);
            any = true;
          }
        }
        if (!any) continue;
        let share = toks.size >= r.min_line_tokens && total >= r.min_line_weight ? shared / total : 0;
        if (idents && !identShared) share *= r.line_ident_factor;
        if (shared > bestShared || (shared === bestShared && share > bestKeyShare)) {
          best = line;
          bestShared = shared;
          bestKeyShare = share;
        }
        bestShare = Math.max(bestShare, share);
      }
      return [best, bestShare];
    }

    judge(qWeights, docnum, proseWeight, absent, qSubjects) {  // evidence.judge
      const r = this.rules;
      const entry = this.entries[docnum];
      const held = this.held(docnum);
      let total = 0;
      for (const w of qWeights.values()) total += w;
      total = total || 1;
      const shares = new Map();
      let strongWeight = 0;
      for (const [t, w] of qWeights) {
        if (this.strongFields.some((f) => held[f].has(t))) {
          shares.set(t, w);
          strongWeight += w;
        } else if (held.some((fieldTokens) => fieldTokens.has(t))) {
          shares.set(t, w * proseWeight);
        }
      }
      let sharedWeight = 0;
      for (const w of shares.values()) sharedWeight += w;
      const queryShare = sharedWeight / total;
      const [line, lineShare] = this.bestLine(entry.lines, qWeights);
      let other = [];
      if (qSubjects.size) {
        const own = this.subjects(entry.lines.join("\n"));
        if (own.size && ![...qSubjects].some((name) => own.has(name))) other = [...qSubjects].sort();
      }
      const absentHere = r.use_absent ? absent : [];
      const penalty = absentHere.length || other.length ? r.absent_identifier_penalty : 1;
      const confidence = Math.max(queryShare, lineShare) * penalty;
      return {
        confidence, confident: confidence > r.confident && sharedWeight >= r.min_shared, line, lineShare,
        queryShare, sharedWeight, strongShare: strongWeight / total, penalty, other,
      };
    }

    // -- kbtools/search.py ---------------------------------------------------------------

    looksLikeLog(text) {
      return this.logMarks.test(cpSlice(text, this.rules.log_marks_max_chars));
    }

    // Python's len(text.split()) <= n, without splitting a megabyte to count three words.
    fewWords(text, n) {
      let words = 0, inWord = false;
      for (const ch of text) {
        const space = this.spaces.test(ch);
        if (!space && !inWord && ++words > n) return false;
        inWord = !space;
      }
      return true;
    }

    // The inverted lists of ``tokens`` alone: token -> per field [docnum, count, docnum, count, ...].
    postingsFor(tokens) {
      const found = new Map();
      const wanted = [];
      for (const token of tokens) {
        const id = this.numbers.get(token);
        if (id === undefined || this.mark[id] >= 0) continue;
        this.mark[id] = wanted.length;
        const lists = this.fields.map(() => []);
        wanted.push(lists);
        found.set(token, lists);
      }
      if (wanted.length) {
        const names = this.fields, mark = this.mark;
        for (let docnum = 0; docnum < this.entries.length; docnum++) {
          const encoded = this.entries[docnum].t;
          for (let f = 0; f < names.length; f++) {
            const numbers = encoded[names[f]];
            for (let i = 0; i < numbers.length; i++) {
              const at = mark[numbers[i]];
              if (i + 1 < numbers.length && numbers[i + 1] < 0) {
                if (at >= 0) wanted[at][f].push(docnum, -numbers[i + 1]);
                i++;
              } else if (at >= 0) {
                wanted[at][f].push(docnum, 1);
              }
            }
          }
        }
      }
      for (const token of found.keys()) this.mark[this.numbers.get(token)] = -1;
      return found;
    }

    // One entry's tokens per field (token -> count), made the first time the entry is judged.
    held(docnum) {
      let held = this.heldCache.get(docnum);
      if (held) return held;
      const encoded = this.entries[docnum].t;
      held = this.fields.map((name) => {
        const numbers = encoded[name];
        const tokens = new Map();
        for (let i = 0; i < numbers.length; i++) {
          const token = this.vocabulary[numbers[i]];
          tokens.set(token, i + 1 < numbers.length && numbers[i + 1] < 0 ? -numbers[++i] : 1);
        }
        return tokens;
      });
      this.heldCache.set(docnum, held);
      return held;
    }

    // The candidates as Whoosh finds them: an OR of the known tokens over the fields, BM25F with
    // field boosts, the best `candidates` by score (ties: document order).
    candidates(known, postings, limit) {
      const { B, K1 } = this.rules.bm25;
      const scores = new Map();
      for (const token of known) {
        const lists = postings.get(token);
        lists.forEach((list, f) => {
          if (!list.length) return;
          const idf = Math.log(this.total / (list.length / 2 + 1)) + 1;
          for (let i = 0; i < list.length; i += 2) {
            const docnum = list[i], tf = list[i + 1];
            const fl = this.entries[docnum].n[f];  // the length as the index stores it
            const s = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + (B * fl) / this.avgLength[f]))) * this.boosts[f];
            scores.set(docnum, (scores.get(docnum) || 0) + s);
          }
        });
      }
      return [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, limit);
    }

    search(text, limit = 5) {  // search._search (no filters, no query syntax)
      const r = this.rules;
      const qTokens = this.queryTokens(text);
      const postings = this.postingsFor(qTokens);
      const df = new Map(qTokens.map((t) => {
        const lists = postings.get(t);
        return [t, lists ? Math.max(...lists.map((list) => list.length / 2)) : 0];
      }));
      const common = Math.max(r.common_min, r.common_share * this.total);
      const short = this.fewWords(text, r.short_query_words);
      const known = qTokens.filter((t) => df.get(t) && (short || df.get(t) <= common))
        .sort((a, b) => df.get(a) - df.get(b) || (a < b ? -1 : a > b ? 1 : 0))
        .slice(0, r.max_terms);
      if (!known.length) return [];
      const found = this.candidates(known, postings, Math.max(r.candidates, limit));
      const qWeights = this.queryWeights(qTokens, text);
      const proseWeight = this.looksLikeLog(text) ? r.prose_weight_for_logs : r.prose_weight_for_words;
      const absent = qTokens.filter((t) => !df.get(t) && this.isIdentifier(t));
      const qSubjects = this.subjects(text);
      const wanted = new Set(qTokens);
      const hits = [];
      for (const [docnum, bm25] of found) {
        const entry = this.entries[docnum];
        const ev = this.judge(qWeights, docnum, proseWeight, absent, qSubjects);
        if (ev.confidence < r.possible && !ev.confident) continue;
        const line = ev.line || entry.lines[0] || "";
        hits.push({
          id: entry.id, entry, bm25, evidence: ev, confident: ev.confident, confidence: ev.confidence,
          symptom: line, spans: this.wordSpans(line, wanted),
          key: [-round(ev.confidence, 9), -round(Math.max(ev.lineShare, ev.strongShare), 9),
            -round(ev.queryShare, 9), -round(ev.lineShare, 9), -round(bm25, 6)],
        });
      }
      hits.sort((a, b) => {  // evidence.Evidence.sort_key
        for (let i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return a.key[i] - b.key[i];
        return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
      });
      return hits.slice(0, limit);
    }
  }

  let loading = null;

  // The data is fetched once, when the first search starts (not with the page).
  function load(url) {
    if (!loading) {
      loading = fetch(url)
        .then((response) => {
          if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
          return response.json();
        })
        .then((data) => new Engine(data));
      loading.catch(() => { loading = null; });
    }
    return loading;
  }

  global.kbSearch = { Engine, load };
})(typeof window !== "undefined" ? window : globalThis);
