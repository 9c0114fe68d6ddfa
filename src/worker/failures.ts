/**
 * Failures with their real codes and a sentence a person can act on. Class identity does not survive
 * postMessage, so every throw inside the worker becomes { code, message } here, once:
 * - data: the loaded files cannot give what was asked (a DataError from data/);
 * - config: the settings cannot run on this data (a protocol without its files, a split with no
 *   training tasks): change a setting;
 * - backend: the tfjs backend failed to start or its device was lost: choose another backend;
 * - internal: anything else, which is a bug, and says so.
 */
import type { BackendPreference } from '../config/experiment';
import { DataError } from '../data/errors';
import type { TrainErrorCode } from '../train/events';

/** Settings that cannot run on the loaded data; the message says which setting to change. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The backend could not start (initBackend threw): which one was asked for, and why. */
export class BackendError extends Error {
  constructor(
    readonly preference: BackendPreference,
    cause: unknown,
  ) {
    super(
      `The ${preference} backend could not start: ${messageOf(cause)}. Choose another backend (wasm works everywhere) and start again.`,
    );
    this.name = 'BackendError';
  }
}

export interface Failure {
  readonly code: TrainErrorCode;
  readonly message: string;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** tfjs and WebGPU failures that come from the device, not from our code. */
const DEVICE_TROUBLE =
  /device (was )?lost|GPUDevice|out of memory|OOM|WebGPU|webgl context|wasm.*(abort|memory)/i;

export function classifyFailure(error: unknown, backend: string | null = null): Failure {
  if (error instanceof DataError)
    return error.code === 'protocol'
      ? { code: 'config', message: error.message }
      : { code: 'data', message: error.message };
  if (error instanceof ConfigError) return { code: 'config', message: error.message };
  if (error instanceof BackendError) return { code: 'backend', message: error.message };
  const message = messageOf(error);
  if (error instanceof Error && error.name === 'BackendLostError')
    return {
      code: 'backend',
      message: `${message}; the run could not go on. Start it again (the wasm backend does not lose its device).`,
    };
  if (DEVICE_TROUBLE.test(message))
    return {
      code: 'backend',
      message: `The ${backend ?? 'current'} backend failed: ${message}. Choose another backend (wasm) and start again.`,
    };
  return {
    code: 'internal',
    message: `An internal error stopped the run: ${message}. This is a bug in MetaRec Lab; please report it with the page's link.`,
  };
}
