/** The typed arrays' buffers of a snapshot's state, to transfer with it (no tfjs here: the page uses it). */
import type { HostValue } from '../train/snapshot';

export function stateBuffers(v: HostValue, out: Transferable[] = []): Transferable[] {
  if (v === null || typeof v === 'number') return out;
  if ('values' in v && ArrayBuffer.isView(v.values)) {
    const buffer = v.values.buffer as ArrayBuffer;
    if (!out.includes(buffer)) out.push(buffer);
    return out;
  }
  for (const child of Object.values(v)) stateBuffers(child as HostValue, out);
  return out;
}
