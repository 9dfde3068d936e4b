// Splits an SQL script (the output of `crmkpi sql`) into its statements: each ends with `;` at a
// line end, outside string literals ('…', with '' inside), quoted identifiers ("…", `…`) and
// comments (-- to the line end, /* … */). Shared by run_duckdb.mjs and parse.mjs.
//
// |backslash|: a backslash escapes the next character inside '…' (BigQuery, Spark, Snowflake);
// in PostgreSQL, DuckDB and Trino it is an ordinary character.
//
// Returns [{ text, line }]: the statement without its `;` and the 1-based line of the script on
// which its text starts (for error messages). Empty statements (only blanks and comments) are
// dropped.
export function splitStatements(script, { backslash = false } = {}) {
  const out = [];
  let start = 0;
  let i = 0;
  const n = script.length;
  const push = (end) => {
    const text = script.slice(start, end);
    if (stripComments(text).trim() !== '') {
      const lead = text.length - text.trimStart().length;
      const line = lineOf(script, start + lead);
      out.push({ text: text.trim(), line });
    }
  };
  while (i < n) {
    const c = script[i];
    if (c === "'" || c === '"' || c === '`') {
      i = skipQuoted(script, i, c, backslash);
    } else if (c === '-' && script[i + 1] === '-') {
      while (i < n && script[i] !== '\n') i++;
    } else if (c === '/' && script[i + 1] === '*') {
      const end = script.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === ';' && atLineEnd(script, i + 1)) {
      push(i);
      i++;
      start = i;
    } else {
      i++;
    }
  }
  push(n);
  return out;
}

function skipQuoted(s, i, q, backslash) {
  i++;
  while (i < s.length) {
    if (s[i] === q) {
      if (s[i + 1] === q) { i += 2; continue; }  // '' / "" / `` inside
      return i + 1;
    }
    if (backslash && s[i] === '\\' && q === "'") {
      i += 2;
      continue;
    }
    i++;
  }
  return i;
}

// Only blanks or a -- comment up to the line end (or the script's end).
function atLineEnd(s, i) {
  while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\r')) i++;
  return i >= s.length || s[i] === '\n' || (s[i] === '-' && s[i + 1] === '-');
}

function lineOf(s, at) {
  let line = 1;
  for (let i = 0; i < at; i++) if (s[i] === '\n') line++;
  return line;
}

export function stripComments(text) {
  return text.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}
