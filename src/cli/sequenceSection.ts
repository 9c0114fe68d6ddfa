/**
 * The sequential models' section inside docs/results.md (docs/protocol-sequence.md section 7): written by
 * `sequence-experiment --merge` between two markers, and kept by `experiment --merge`, which rewrites
 * the rest of the document. Plain strings.
 */
export const SECTION_BEGIN =
  '<!-- sequence-protocol: begin (npm run cli -- sequence-experiment experiments/protocol-sequence-v1.json --merge) -->';
export const SECTION_END = '<!-- sequence-protocol: end -->';

/** `doc` with the section between the markers replaced by `section` (appended when absent). */
export function spliceSection(doc: string, section: string): string {
  const block = `${SECTION_BEGIN}\n${section.trimEnd()}\n${SECTION_END}`;
  const i = doc.indexOf(SECTION_BEGIN);
  const j = doc.indexOf(SECTION_END);
  if (i >= 0 && j > i) return doc.slice(0, i) + block + doc.slice(j + SECTION_END.length);
  return `${doc.trimEnd()}\n\n${block}\n`;
}

/** The section between the markers of `doc`, or null. */
export function keptSection(doc: string): string | null {
  const i = doc.indexOf(SECTION_BEGIN);
  const j = doc.indexOf(SECTION_END);
  return i >= 0 && j > i ? doc.slice(i + SECTION_BEGIN.length, j).trim() : null;
}
