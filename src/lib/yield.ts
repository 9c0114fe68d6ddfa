/**
 * Lets queued events run (messages to the worker: pause, stop, inspect). Awaiting a tfjs-wasm read
 * resolves as a microtask, so a training loop that only awaits reads would never see new messages.
 * setImmediate in Node; a MessageChannel round trip elsewhere (unlike setTimeout, not clamped to 4 ms).
 */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  if (g.setImmediate) return new Promise((resolve) => g.setImmediate!(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
