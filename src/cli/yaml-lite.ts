/**
 * A reader for the small YAML subset of Kubernetes Secret manifests, so the
 * CLI needs no YAML dependency: block mappings by indentation, plain,
 * 'single' and "double" quoted scalars, `|` and `>` block scalars, comments,
 * one document. Sequences, flow collections and tags are skipped as opaque
 * values (a caller that needs one gets a clear error). Errors name the line,
 * never its content (a manifest holds secrets).
 * @module
 */
import { fail } from '../errors.js';
import { printable } from '../args.js';

/** A parsed node: a scalar, a mapping, or something this reader skips. */
export type YamlNode = string | YamlMap | { readonly opaque: true };
/** A mapping, keyed by user input: a Map. */
export type YamlMap = Map<string, YamlNode>;

interface Line {
  readonly no: number;
  readonly indent: number;
  readonly text: string;
  readonly blank: boolean;
}

/** Deepest mapping nesting read (a Secret needs 2); deeper input is refused, not a stack overflow. */
const MAX_DEPTH = 32;

/**
 * Lines visited by the reader since the process started: every loop over
 * lines counts its steps here, so tests can check that the work is linear in
 * the input without timing anything.
 */
export const yamlWork = { steps: 0 };

const bad = (why: string, no?: number): never => fail('ERR_INVALID_ARGUMENT', `manifest${no === undefined ? '' : ` line ${no}`}: ${why}`);

/**
 * Parses a one-document YAML mapping.
 * @example
 * ```ts
 * const doc = parseYaml('kind: Secret\ndata:\n  A: QQ==\n');
 * (doc.get('data') as YamlMap).get('A'); // 'QQ=='
 * ```
 */
export function parseYaml(text: string): YamlMap {
  const raw = text.replace(/^\uFEFF/, '').split('\n').map((l) => l.replace(/\r$/, ''));
  let start = 0;
  let content = false;
  const lines: Line[] = [];
  for (let i = 0; i < raw.length; i++) {
    yamlWork.steps++;
    const t = raw[i]!;
    if (/^---\s*(#.*)?$/.test(t)) {
      if (content) bad('only one YAML document is supported', i + 1);
      start = lines.length;
      continue;
    }
    if (/^\.\.\.\s*$/.test(t)) break;
    const indent = t.length - t.trimStart().length;
    if (/^ *\t/.test(t)) bad('tabs are not allowed in indentation', i + 1);
    const blank = t.trim() === '' || t.trimStart().startsWith('#');
    if (!blank) content = true;
    lines.push({ no: i + 1, indent, text: t, blank });
  }
  const body = lines.slice(start);
  const nextContent = contentIndex(body);
  const first = body[nextContent[0]!];
  if (first === undefined) return bad('the manifest is empty');
  const [map, next] = parseMap(body, nextContent, 0, first.indent, 0);
  const rest = body[nextContent[next]!];
  if (rest !== undefined) bad('unexpected indentation', rest.no);
  return map;
}

/** For each line index, the index of the first non-blank line at or after it (lines.length when none): one pass, so lookups are O(1). */
function contentIndex(lines: readonly Line[]): number[] {
  const out = new Array<number>(lines.length + 1);
  out[lines.length] = lines.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    yamlWork.steps++;
    out[i] = lines[i]!.blank ? out[i + 1]! : i;
  }
  return out;
}

function parseMap(lines: readonly Line[], nextContent: readonly number[], from: number, indent: number, depth: number): [YamlMap, number] {
  if (depth > MAX_DEPTH) bad(`mappings nested more than ${MAX_DEPTH} deep are not supported`, lines[from]?.no);
  const map: YamlMap = new Map();
  let i = from;
  while (i < lines.length) {
    yamlWork.steps++;
    const line = lines[i]!;
    if (line.blank) { i++; continue; }
    if (line.indent < indent) break;
    if (line.indent > indent) bad('unexpected indentation', line.no);
    const content = line.text.slice(indent);
    if (content.startsWith('- ') || content === '-') bad('a sequence where a mapping was expected', line.no);
    const { key, rest } = splitKey(content, line.no);
    if (map.has(key)) bad(`key "${printable(key, 40)}" appears twice`, line.no);
    i++;
    if (rest === '') {
      const next = lines[nextContent[i]!];
      if (next !== undefined && next.indent >= indent && next.text.slice(next.indent).match(/^-( |$)/)) {
        map.set(key, { opaque: true });
        while (i < lines.length && (lines[i]!.blank || lines[i]!.indent > indent || /^-( |$)/.test(lines[i]!.text.slice(indent)))) {
          yamlWork.steps++;
          i++;
        }
      } else if (next !== undefined && next.indent > indent) {
        const [child, after] = parseMap(lines, nextContent, i, next.indent, depth + 1);
        map.set(key, child);
        i = after;
      } else map.set(key, '');
    } else if (/^[|>]/.test(rest)) {
      const [value, after] = blockScalar(lines, i, indent, rest, line.no);
      map.set(key, value);
      i = after;
    } else map.set(key, scalar(rest, line.no));
  }
  return [map, i];
}

function splitKey(content: string, no: number): { key: string; rest: string } {
  let key: string;
  let after: string;
  if (content.startsWith('"') || content.startsWith("'")) {
    const end = content.startsWith('"') ? findDoubleEnd(content) : findSingleEnd(content);
    if (end < 0) return bad('an unterminated quoted key', no);
    key = scalar(content.slice(0, end + 1), no) as string;
    after = content.slice(end + 1);
    if (!after.startsWith(':')) bad('expected ":" after a quoted key', no);
    after = after.slice(1);
  } else {
    const m = /^([^:#]*?[^\s:#]):(?:\s|$)/.exec(content);
    if (m === null) return bad('expected "key: value"', no);
    key = m[1]!;
    after = content.slice(m[1]!.length + 1);
  }
  if (after !== '' && !/^\s/.test(after)) bad('expected a space after ":"', no);
  return { key, rest: stripComment(after.trim()) };
}

function stripComment(text: string): string {
  if (text.startsWith('"') || text.startsWith("'")) {
    const end = text.startsWith('"') ? findDoubleEnd(text) : findSingleEnd(text);
    if (end < 0) return text;
    const tail = text.slice(end + 1).trim();
    return tail === '' || tail.startsWith('#') ? text.slice(0, end + 1) : text;
  }
  if (text.startsWith('#')) return '';
  const at = text.search(/\s#/);
  return (at < 0 ? text : text.slice(0, at)).trim();
}

function findDoubleEnd(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

function findSingleEnd(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === "'") {
      if (text[i + 1] === "'") i++;
      else return i;
    }
  }
  return -1;
}

function scalar(text: string, no: number): YamlNode {
  if (text.startsWith('"')) {
    if (findDoubleEnd(text) !== text.length - 1) bad('a double-quoted value must end on its line', no);
    try {
      return JSON.parse(text) as string;
    } catch {
      return bad('a double-quoted value uses an escape this reader does not support', no);
    }
  }
  if (text.startsWith("'")) {
    if (findSingleEnd(text) !== text.length - 1) bad('a single-quoted value must end on its line', no);
    return text.slice(1, -1).replace(/''/g, "'");
  }
  if (text === '{}') return new Map();
  if (/^[[{&*!%@`]/.test(text)) return { opaque: true };
  return text;
}

function blockScalar(lines: readonly Line[], from: number, parentIndent: number, header: string, no: number): [string, number] {
  const m = /^([|>])([+-]?)$/.exec(header);
  if (m === null) return bad('block scalar indicators other than |, |-, |+, >, >-, >+ are not supported', no);
  const parts: string[] = [];
  let i = from;
  let blockIndent = -1;
  while (i < lines.length) {
    yamlWork.steps++;
    const line = lines[i]!;
    const empty = line.text.trim() === '';
    if (!empty && line.indent <= parentIndent) break;
    if (!empty && blockIndent < 0) blockIndent = line.indent;
    if (!empty && line.indent < blockIndent) bad('a block scalar line is indented less than the first one', line.no);
    parts.push(empty ? '' : line.text.slice(blockIndent));
    i++;
  }
  let trailing = 0;
  while (parts.length > 0 && parts[parts.length - 1] === '') { parts.pop(); trailing++; }
  let body = m[1] === '|' ? parts.join('\n') : parts.reduce((acc, p, k) => (k === 0 ? p : acc + (p === '' || parts[k - 1] === '' ? '\n' : ' ') + p), '');
  if (m[2] === '+') body += '\n'.repeat(trailing + 1);
  else if (m[2] === '' && parts.length > 0) body += '\n';
  return [body, i];
}
