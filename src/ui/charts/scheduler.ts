/**
 * Chart updates, one per animation frame. Each Plotly redraw re-measures its axes (~20-60 ms on a busy
 * machine); several charts updated in one frame would make one long task. Updates are keyed per chart
 * (only the latest pending one runs) and a chart may ask for a minimum interval between redraws (the
 * per-step loss chart), so the page stays responsive while the worker trains.
 */
type Job = () => Promise<void> | void;

const pending = new Map<string, Job>();
const lastRun = new Map<string, number>();
const minimum = new Map<string, number>();
let scheduled = false;
let running = false;

function pump(): void {
  scheduled = false;
  if (running) return schedule();
  const now = performance.now();
  for (const [key, job] of pending) {
    if (now - (lastRun.get(key) ?? -Infinity) < (minimum.get(key) ?? 0)) continue;
    pending.delete(key);
    lastRun.set(key, now);
    running = true;
    void Promise.resolve(job()).finally(() => {
      running = false;
      if (pending.size) schedule();
    });
    return;
  }
  if (pending.size) setTimeout(schedule, 50);
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(pump);
}

/** Queues a chart's update (replacing its pending one); at most one chart redraws per frame. */
export function scheduleChart(key: string, job: Job, minIntervalMs = 0): void {
  pending.set(key, job);
  minimum.set(key, minIntervalMs);
  schedule();
}

export function cancelChart(key: string): void {
  pending.delete(key);
}
