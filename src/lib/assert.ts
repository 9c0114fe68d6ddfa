/** Exhaustiveness check for discriminated unions: `default: assertNever(msg)`. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}

/** Throws "Expected <what>, got <got>" when the condition is false (API-boundary checks). */
export function expect(condition: boolean, what: string, got: unknown): asserts condition {
  if (!condition) throw new Error(`Expected ${what}, got ${String(got)}`);
}
